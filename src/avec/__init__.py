"""AVEC: safe, checked and measured use of generative AI by health and social-care professionals."""

from avec.protect.api import Conversation, Protected, protect, reveal
from avec.text import Label, Span

__all__ = ["Conversation", "Label", "Protected", "Span", "protect", "reveal"]
__version__ = "0.1.0"
