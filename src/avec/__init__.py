"""AVEC: safe, checked and measured use of generative AI by health and social-care professionals."""

from avec.protect.api import Conversation, Protected, protect, reveal
from avec.text import Label, Span
from avec.verify import Finding, verify

__all__ = ["Conversation", "Finding", "Label", "Protected", "Span", "protect", "reveal", "verify"]
__version__ = "0.1.0"
