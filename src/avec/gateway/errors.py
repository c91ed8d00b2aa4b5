"""Errors in the OpenAI format (``{"error": {message, type, param, code}}``), messages in French.

Clients built on the OpenAI SDKs turn these into their usual exceptions (``AuthenticationError``,
``PermissionDeniedError``, ``BadRequestError``, ``APIStatusError``...). No message ever quotes
the request, the answer or a secret.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class GatewayError(Exception):
    """An error returned to the client.

    Args:
        status: HTTP status.
        code: short machine code (``avec_blocked_category``...).
        message: French explanation for the user.
        type_: OpenAI error type (``invalid_request_error``, ``authentication_error``...).
        param: the request field at fault, if any.
        headers: extra response headers (``Retry-After``...), no content of the request.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        type_: str = "invalid_request_error",
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.type = type_
        self.param = param
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON error object."""
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def bad_request(code: str, message: str, param: str | None = None) -> GatewayError:
    """A 400 error on the client's request."""
    return GatewayError(400, code, message, "invalid_request_error", param)


def unauthorized(code: str, message: str) -> GatewayError:
    """A 401 error (missing or unknown key)."""
    return GatewayError(401, code, message, "authentication_error")


def forbidden(code: str, message: str) -> GatewayError:
    """A 403 error: the policy refuses this request."""
    return GatewayError(403, code, message, "permission_error")


def upstream_error(status: int, code: str, message: str) -> GatewayError:
    """An error of the upstream system, seen from the gateway."""
    return GatewayError(status, code, message, "upstream_error")


def protection_failed() -> GatewayError:
    """Protection raised: nothing was sent (fail closed)."""
    return GatewayError(
        500,
        "avec_protection_failed",
        "La protection des données a échoué : la requête n'a pas été envoyée au système d'IA. "
        "Réessayez ; si le problème persiste, signalez-le à l'équipe AVEC.",
        "api_error",
    )


def install_handlers(app: FastAPI, *, http_errors: bool = True) -> None:
    """Make the gateway's errors OpenAI-style JSON errors in French.

    Args:
        app: the application.
        http_errors: also answer 404/405 in that format (only when the app is the gateway
            alone: mounted beside web pages, those keep their own error pages).
    """

    async def on_gateway(_: Request, exc: Exception) -> JSONResponse:
        err = exc if isinstance(exc, GatewayError) else protection_failed()
        return JSONResponse(err.body(), status_code=err.status, headers=err.headers or None)

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        messages = {404: "Adresse inconnue sur la passerelle AVEC.", 405: "Méthode non autorisée."}
        err = GatewayError(status, f"http_{status}", messages.get(status, "Requête refusée."))
        return JSONResponse(err.body(), status_code=status)

    app.add_exception_handler(GatewayError, on_gateway)
    if http_errors:
        app.add_exception_handler(StarletteHTTPException, on_http)
