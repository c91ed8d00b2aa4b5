"""Sealed pseudonym mappings kept in the journal's database, bound to a session, expiring.

The blob is a Fernet token made by :mod:`avec.protect.vault`: the database never sees a
mapping in clear. Each row is bound to the SHA-256 of a session secret, so only the browser
session that protected a text can reveal an answer with it, and rows are deleted at expiry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select

from avec.journal.db import session_factory
from avec.journal.models import VaultBlob, utcnow


def session_hash(session_secret: str) -> str:
    """The stored form of a session secret (the secret itself is never stored)."""
    return hashlib.sha256(session_secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredFlow:
    """A sealed mapping and the non-identifying progress of its flow."""

    blob: bytes
    meta: dict[str, Any]
    expires_at: datetime


class SessionVaultStore:
    """Database store of sealed conversations, one row per flow.

    Args:
        engine: a migrated journal engine.
        ttl_seconds: lifetime of a row from its last save.
    """

    def __init__(self, engine: Engine, ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            raise ValueError("la durée de conservation doit être positive")
        self.ttl = timedelta(seconds=ttl_seconds)
        self._sessions = session_factory(engine)

    def save(self, flow_id: str, session_secret: str, blob: bytes, meta: dict[str, Any]) -> datetime:
        """Create or replace the row of ``flow_id``; returns its new expiry.

        Raises:
            PermissionError: the flow exists and belongs to another session.
        """
        now = utcnow()
        expires = now + self.ttl
        owner = session_hash(session_secret)
        with self._sessions.begin() as session:
            row = session.get(VaultBlob, flow_id)
            if row is None:
                session.add(
                    VaultBlob(
                        id=flow_id,
                        session_hash=owner,
                        blob=blob,
                        meta=meta,
                        created_at=now,
                        expires_at=expires,
                    )
                )
            elif row.session_hash != owner:
                raise PermissionError("cette correspondance appartient à une autre session")
            else:
                row.blob, row.meta, row.expires_at = blob, dict(meta), expires
        return expires

    def load(self, flow_id: str, session_secret: str) -> StoredFlow | None:
        """The flow of this session, or None when unknown, expired or another session's."""
        self.purge()
        with self._sessions() as session:
            row = session.get(VaultBlob, flow_id)
            if row is None or row.session_hash != session_hash(session_secret):
                return None
            return StoredFlow(row.blob, dict(row.meta or {}), row.expires_at)

    def delete(self, flow_id: str, session_secret: str) -> None:
        """Forget a flow of this session (no error when unknown)."""
        with self._sessions.begin() as session:
            session.execute(
                delete(VaultBlob).where(
                    VaultBlob.id == flow_id, VaultBlob.session_hash == session_hash(session_secret)
                )
            )

    def purge(self) -> int:
        """Delete expired rows; returns how many were removed."""
        with self._sessions.begin() as session:
            ids = session.scalars(select(VaultBlob.id).where(VaultBlob.expires_at <= utcnow())).all()
            if ids:
                session.execute(delete(VaultBlob).where(VaultBlob.id.in_(ids)))
            return len(ids)
