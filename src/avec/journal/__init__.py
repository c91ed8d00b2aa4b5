"""The journal: what AVEC records about use (never identifying text), in SQLite or PostgreSQL."""

from avec.journal.db import JournalError, make_engine, session_factory, upgrade
from avec.journal.models import Outcome
from avec.journal.repository import HistoryEntry, InteractionRecord, Journal, JournalValueError
from avec.journal.vault_store import SessionVaultStore, StoredFlow

__all__ = [
    "HistoryEntry",
    "InteractionRecord",
    "Journal",
    "JournalError",
    "JournalValueError",
    "Outcome",
    "SessionVaultStore",
    "StoredFlow",
    "make_engine",
    "session_factory",
    "upgrade",
]
