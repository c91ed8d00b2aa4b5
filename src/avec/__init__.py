"""AVEC: safe, checked and measured use of generative AI by health and social-care professionals."""

from avec.text import Label, Span

__all__ = ["Label", "Span"]
__version__ = "0.1.0"
