"""One sealed conversation (vault) per client conversation, in memory or in the journal's database.

The client names its conversation with the ``X-AVEC-Conversation`` header or the ``user``
field; otherwise the gateway derives a name from the conversation's opening messages, which
chat clients re-send at every turn. Storage keys are HMACs (vault key) of the key id and that
name: one client cannot reach another's vault by guessing names, and the database holds
neither. Vaults are sealed (Fernet) and expire after ``vault_ttl_seconds`` without use.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from enum import Enum
from typing import Any, ClassVar, Literal, Protocol

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from avec.config import Settings
from avec.gateway.auth import Principal
from avec.protect.api import Conversation
from avec.protect.vault import VaultError

HEADER = "X-AVEC-Conversation"
_MAX_CLIENT_ID = 200


class StoreConflictError(RuntimeError):
    """Another request (another replica) saved the conversation since it was loaded."""


class _Version(Enum):
    ANY = 0


#: ``previous`` value of :meth:`BlobStore.save` that overwrites whatever is stored.
ANY_VERSION = _Version.ANY

Previous = bytes | None | Literal[_Version.ANY]


class BlobStore(Protocol):
    """Where sealed conversations live between requests.

    ``save`` is a compare-and-swap: ``previous`` is the blob :meth:`load` returned (None when
    there was none). Sealed blobs are never equal (Fernet adds a random IV and a timestamp),
    so the blob itself serves as the row's version.

    ``shared`` says whether other processes read and write the same conversations: when they
    do not, the conversation lock of this process orders every request of a conversation.
    """

    shared: bool

    def load(self, key: str, owner: str) -> bytes | None:
        """The sealed conversation, or None when unknown, expired or another owner's."""

    def save(self, key: str, owner: str, blob: bytes, previous: Previous = ANY_VERSION) -> None:
        """Create or replace a sealed conversation (restarts its expiry).

        Raises:
            StoreConflictError: the stored blob is no longer ``previous``.
        """

    def purge(self) -> int:
        """Delete expired conversations; returns how many were removed."""


class MemoryBlobStore:
    """A :class:`BlobStore` for one process, expiring entries and bounded in size.

    Args:
        ttl_seconds: lifetime of an entry since its last save.
        max_entries: oldest entries are dropped beyond this.
        clock: current time (tests inject one).
    """

    shared = False

    def __init__(
        self, ttl_seconds: int, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self._rows: OrderedDict[str, tuple[str, bytes, float]] = OrderedDict()
        self._lock = threading.Lock()  # protection runs in worker threads

    def load(self, key: str, owner: str) -> bytes | None:
        with self._lock:
            self._purge()
            row = self._rows.get(key)
            if row is None or not hmac.compare_digest(row[0], owner):
                return None
            return row[1]

    def save(self, key: str, owner: str, blob: bytes, previous: Previous = ANY_VERSION) -> None:
        with self._lock:
            row = self._rows.get(key)
            if row is not None and not hmac.compare_digest(row[0], owner):
                return  # never overwrite another owner's conversation
            if previous is not ANY_VERSION:
                current = row[1] if row is not None else None
                if current != previous:
                    raise StoreConflictError("conversation modifiée entre-temps")
            self._rows[key] = (owner, blob, self.clock() + self.ttl)
            self._rows.move_to_end(key)
            while len(self._rows) > self.max_entries:
                self._rows.popitem(last=False)

    def purge(self) -> int:
        with self._lock:
            return self._purge()

    def _purge(self) -> int:
        now = self.clock()
        gone = 0
        # Rows are in save order, so expired ones are at the front.
        while self._rows:
            key, (_, _, expires) = next(iter(self._rows.items()))
            if expires > now:
                break
            del self._rows[key]
            gone += 1
        return gone

    def __len__(self) -> int:
        return len(self._rows)


class DatabaseBlobStore:
    """A :class:`BlobStore` on the journal's ``vault_blobs`` table, shared by replicas.

    Saves are compare-and-swap (``UPDATE ... WHERE blob = previous``; an ``INSERT`` for a new
    conversation, which fails on the primary key if another replica inserted first), so two
    replicas serving one conversation at once never silently drop each other's mappings: the
    loser gets :class:`StoreConflictError` and protects again from the stored vault.

    Args:
        engine: a migrated journal engine.
        ttl_seconds: lifetime of a row since its last save.
    """

    _META: ClassVar[dict[str, Any]] = {"kind": "gateway"}

    shared = True

    def __init__(self, engine: Engine, ttl_seconds: int) -> None:
        from avec.journal import SessionVaultStore

        self._store = SessionVaultStore(engine, ttl_seconds)
        self._engine = engine
        self.ttl = timedelta(seconds=ttl_seconds)

    def load(self, key: str, owner: str) -> bytes | None:
        # One statement on the request's path: expired rows of other conversations are left to
        # the periodic purge, and this one's is deleted here, so that saving anew inserts.
        from avec.journal.models import VaultBlob, utcnow
        from avec.journal.vault_store import session_hash

        now = utcnow()
        with self._engine.begin() as conn:
            row = conn.execute(
                select(VaultBlob.blob, VaultBlob.session_hash, VaultBlob.expires_at).where(
                    VaultBlob.id == key
                )
            ).first()
            if row is None:
                return None
            if row.expires_at <= now:
                # Only if still expired: another replica may have just saved it again.
                conn.execute(delete(VaultBlob).where(VaultBlob.id == key, VaultBlob.expires_at <= now))
                return None
            if not hmac.compare_digest(row.session_hash, session_hash(owner)):
                return None
            return bytes(row.blob)

    def save(self, key: str, owner: str, blob: bytes, previous: Previous = ANY_VERSION) -> None:
        if previous is ANY_VERSION:
            try:
                self._store.save(key, owner, blob, self._META)
            except PermissionError:
                return  # another owner's row: keys are HMACs, so this only happens by collision
            return
        from avec.journal.models import VaultBlob, utcnow
        from avec.journal.vault_store import session_hash

        now = utcnow()
        # Core statements: the ORM's unit of work cost more than the write on the request's path.
        try:
            with self._engine.begin() as conn:
                if previous is None:
                    conn.execute(
                        insert(VaultBlob).values(
                            id=key,
                            session_hash=session_hash(owner),
                            blob=blob,
                            meta=dict(self._META),
                            created_at=now,
                            expires_at=now + self.ttl,
                        )
                    )
                    return
                done = conn.execute(
                    update(VaultBlob)
                    .where(
                        VaultBlob.id == key,
                        VaultBlob.session_hash == session_hash(owner),
                        VaultBlob.blob == previous,
                    )
                    .values(blob=blob, expires_at=now + self.ttl)
                )
                if done.rowcount != 1:
                    raise StoreConflictError("conversation modifiée entre-temps")
        except IntegrityError:
            raise StoreConflictError("conversation créée entre-temps") from None

    def purge(self) -> int:
        return self._store.purge()


class Conversations:
    """Finds, creates and saves the conversation of each request.

    Args:
        store: where sealed conversations are kept.
        key: the vault key (Fernet); also keys the HMACs of names.
        settings: TTL of new conversations.
    """

    def __init__(self, store: BlobStore, key: bytes, settings: Settings) -> None:
        self.store = store
        self._key = key
        self._settings = settings
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def client_id(self, header: str | None, body: dict[str, Any]) -> str:
        """The conversation name the client gave, or one derived from the opening messages."""
        if header and header.strip():
            return header.strip()[:_MAX_CLIENT_ID]
        user = body.get("user")
        if isinstance(user, str) and user.strip():
            return user.strip()[:_MAX_CLIENT_ID]
        messages = body.get("messages") or []
        opening: list[Any] = []
        for message in messages:
            opening.append(message)
            if isinstance(message, dict) and message.get("role") == "user":
                break
        digest = hmac.new(self._key, json.dumps(opening, sort_keys=True).encode(), hashlib.sha256)
        return "auto-" + digest.hexdigest()[:24]

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()

    def storage_key(self, principal: Principal, client_id: str) -> str:
        """The row key of a conversation (fits the journal's 64-character ids)."""
        return "gw-" + self._mac("conversation", principal.id, client_id)[:48]

    def owner(self, principal: Principal) -> str:
        """The owner secret binding a row to a key id."""
        return self._mac("owner", principal.id)

    def lock(self, storage_key: str) -> asyncio.Lock:
        """One lock per conversation, so two requests of one conversation never race in a process."""
        lock = self._locks.get(storage_key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[storage_key] = lock
        return lock

    def load(self, storage_key: str, owner: str) -> Conversation:
        """The stored conversation, or a new one (also when the stored one cannot be opened)."""
        return self.load_versioned(storage_key, owner)[0]

    def load_versioned(self, storage_key: str, owner: str) -> tuple[Conversation, bytes | None]:
        """The conversation and the stored blob it came from (its version, for :meth:`save`)."""
        blob = self.store.load(storage_key, owner)
        if blob is not None:
            try:
                return Conversation.from_blob(blob, self._key), blob
            except VaultError:
                pass  # key rotated or row altered: a fresh vault is safe, the client has originals
        return Conversation.new(self._settings), blob

    def save(
        self, storage_key: str, owner: str, conversation: Conversation, previous: Previous = ANY_VERSION
    ) -> bytes:
        """Seal and store the conversation, dropping expired mappings first.

        Args:
            previous: the blob :meth:`load_versioned` returned; the save fails if another
                request saved since (``ANY_VERSION``: overwrite).

        Returns:
            The blob stored: the ``previous`` of the next save.

        Raises:
            StoreConflictError: the conversation was saved meanwhile by another request.
        """
        conversation.purge()
        return self.store_sealed(storage_key, owner, conversation.to_blob(self._key), previous)

    def store_sealed(
        self, storage_key: str, owner: str, blob: bytes, previous: Previous = ANY_VERSION
    ) -> bytes:
        """Store a conversation already sealed with this key (by the protection process).

        Returns:
            ``blob``: the ``previous`` of the next save.

        Raises:
            StoreConflictError: the conversation was saved meanwhile by another request.
        """
        self.store.save(storage_key, owner, blob, previous)
        return blob
