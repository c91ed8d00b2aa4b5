"""Sealed mappings in the database: bound to a session, replaced in place, purged at expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from avec.journal import SessionVaultStore
from avec.journal.models import VaultBlob, utcnow
from avec.journal.vault_store import session_hash

if TYPE_CHECKING:
    from conftest import Database  # the shared fixture's type (tests/conftest.py)


def test_round_trip_bound_to_session(database: Database) -> None:
    store = SessionVaultStore(database.engine, ttl_seconds=60)
    store.save("flow1", "secret-a", b"sealed", {"task": "courrier"})
    got = store.load("flow1", "secret-a")
    assert got is not None
    assert (got.blob, got.meta) == (b"sealed", {"task": "courrier"})
    assert store.load("flow1", "secret-b") is None
    assert store.load("unknown", "secret-a") is None


def test_other_session_cannot_overwrite_or_delete(database: Database) -> None:
    store = SessionVaultStore(database.engine, ttl_seconds=60)
    store.save("flow1", "secret-a", b"v1", {})
    with pytest.raises(PermissionError):
        store.save("flow1", "secret-b", b"v2", {})
    store.delete("flow1", "secret-b")
    store.save("flow1", "secret-a", b"v2", {"step": 2})
    got = store.load("flow1", "secret-a")
    assert got is not None
    assert (got.blob, got.meta) == (b"v2", {"step": 2})
    store.delete("flow1", "secret-a")
    assert store.load("flow1", "secret-a") is None


def test_expired_rows_are_purged(database: Database) -> None:
    store = SessionVaultStore(database.engine, ttl_seconds=60)
    store.save("old", "s", b"x", {})
    store.save("fresh", "s", b"y", {})
    with store._sessions.begin() as session:
        row = session.get(VaultBlob, "old")
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert store.load("old", "s") is None
    with store._sessions() as session:
        assert session.scalars(select(VaultBlob.id)).all() == ["fresh"]


def test_the_session_secret_is_not_stored(database: Database) -> None:
    store = SessionVaultStore(database.engine, ttl_seconds=60)
    store.save("flow1", "my-cookie-value", b"x", {})
    with store._sessions() as session:
        row = session.get(VaultBlob, "flow1")
        assert row is not None
        assert row.session_hash == session_hash("my-cookie-value")
        assert "my-cookie-value" not in row.session_hash
