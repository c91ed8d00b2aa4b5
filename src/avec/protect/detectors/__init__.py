"""Detectors, one module per family. Importing this package registers them all, in run order."""

from avec.protect.detectors.base import REGISTRY, Detector, Document, register

__all__ = ["REGISTRY", "Detector", "Document", "register"]
