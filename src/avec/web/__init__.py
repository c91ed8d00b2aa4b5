"""The web companion: the A.V.E.C. flow in the browser, with any chatbot (``avec serve``)."""

from avec.web.app import create_app

__all__ = ["create_app"]
