"""The pseudonym vault: which surrogate stands for which original, encrypted and expiring.

A :class:`Vault` lives in memory for one conversation. It is only ever written to disk or to a
store as a Fernet token (:func:`seal`), with the key taken from ``AVEC_VAULT_KEY`` or generated
once into ``data_dir/vault.key`` (permissions 0600). Storage goes through the small
:class:`VaultStore` protocol so that a database-backed store can be added without touching
protection.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from cryptography.fernet import Fernet, InvalidToken

from avec.config import Settings


class VaultError(ValueError):
    """The vault cannot be used; the message is in French and holds no identifying text."""


class VaultExpiredError(VaultError):
    """A mapping needed to reveal the answer has expired."""


class VaultKeyError(VaultError):
    """The key is missing or wrong, or the sealed mapping was altered."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One mapping of the vault.

    Attributes:
        surrogate: the value sent to the AI, exactly as written in the protected text.
        original: the value it replaces.
        label: the identifier category (``NOM``, ``DATE``...).
        created_at: Unix time of the first use.
        expires_at: Unix time after which the mapping refuses to reveal.
        part: True for a part of a longer name (``Marc`` for ``Jean`` in ``Jean-Pierre``), kept
            so that an answer naming only that part is still revealed.
    """

    surrogate: str
    original: str
    label: str
    created_at: float
    expires_at: float
    part: bool = False

    def expired(self, now: float) -> bool:
        """Whether the mapping may no longer be used at time ``now``."""
        return now >= self.expires_at


class Vault:
    """The in-memory mapping of one conversation, keyed by surrogate.

    Args:
        ttl_seconds: lifetime of each mapping, renewed each time protection uses it again.
        clock: returns the current Unix time; tests inject a fake one.
    """

    def __init__(self, ttl_seconds: int, clock: Callable[[], float] = time.time) -> None:
        if ttl_seconds <= 0:
            raise VaultError("la durée de conservation du coffre doit être positive")
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._entries: dict[str, Entry] = {}
        self._version = 0
        # What was derived from the entries (the answer matcher), valid while the version holds.
        self.derived: tuple[int, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        # What is derived (compiled patterns) is rebuilt where it is needed: pickled, it would
        # be compiled again on loading, on the gateway's request path, even when never used.
        return {**self.__dict__, "derived": None}

    @property
    def version(self) -> int:
        """Changes whenever an entry is added, renewed or removed."""
        return self._version

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries.values()))

    def get(self, surrogate: str) -> Entry | None:
        """The entry for an exact surrogate, if any."""
        return self._entries.get(surrogate)

    def add(self, surrogate: str, original: str, label: str, *, part: bool = False) -> Entry:
        """Record (or renew) a mapping.

        Raises:
            VaultError: the surrogate already stands for another value (never done on purpose:
                it would make revealing ambiguous).
        """
        now = self.clock()
        old = self._entries.get(surrogate)
        if old is not None:
            if old.original != original:
                raise VaultError("conflit interne : un pseudonyme désignerait deux valeurs")
            entry = replace(old, expires_at=now + self.ttl_seconds, part=old.part and part)
        else:
            entry = Entry(surrogate, original, label, now, now + self.ttl_seconds, part)
        self._entries[surrogate] = entry
        self._version += 1
        return entry

    def expired(self) -> list[Entry]:
        """Entries that may no longer reveal."""
        now = self.clock()
        return [e for e in self._entries.values() if e.expired(now)]

    def purge(self) -> int:
        """Delete expired entries; returns how many were removed."""
        gone = self.expired()
        for e in gone:
            del self._entries[e.surrogate]
        if gone:
            self._version += 1
        return len(gone)

    def copy(self) -> Vault:
        """An independent copy (protection works on a copy until the result is checked)."""
        other = Vault(self.ttl_seconds, self.clock)
        other._entries = dict(self._entries)
        return other

    def to_dict(self) -> dict[str, Any]:
        """Plain data for sealing."""
        return {"ttl_seconds": self.ttl_seconds, "entries": [asdict(e) for e in self._entries.values()]}

    @classmethod
    def from_dict(cls, data: dict[str, Any], clock: Callable[[], float] = time.time) -> Vault:
        """Rebuild a vault from :meth:`to_dict` output."""
        try:
            vault = cls(int(data["ttl_seconds"]), clock)
            for raw in data["entries"]:
                entry = Entry(**raw)
                vault._entries[entry.surrogate] = entry
        except (KeyError, TypeError, ValueError):
            raise VaultError("correspondance illisible (format inattendu)") from None
        return vault


def load_key(settings: Settings) -> bytes:
    """The Fernet key: ``AVEC_VAULT_KEY``, else ``data_dir/vault.key``, created once with 0600.

    Raises:
        VaultKeyError: the configured key is not a valid Fernet key.
    """
    if settings.vault_key is not None:
        key = settings.vault_key.get_secret_value().encode()
        _check_key(key)
        return key
    path = Path(settings.data_dir) / "vault.key"
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
    key = path.read_bytes().strip()
    _check_key(key)
    return key


def _check_key(key: bytes) -> None:
    try:
        Fernet(key)
    except (ValueError, TypeError):
        raise VaultKeyError("clé du coffre invalide (AVEC_VAULT_KEY ou vault.key)") from None


def seal(payload: dict[str, Any], key: bytes) -> bytes:
    """Encrypt plain data (JSON) into a Fernet token."""
    _check_key(key)
    return Fernet(key).encrypt(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def unseal(blob: bytes, key: bytes) -> dict[str, Any]:
    """Decrypt a token made by :func:`seal`.

    Raises:
        VaultKeyError: wrong key, or the token was altered or is not a vault.
    """
    _check_key(key)
    try:
        data = json.loads(Fernet(key).decrypt(blob.strip()).decode("utf-8"))
    except (InvalidToken, ValueError):
        raise VaultKeyError("correspondance illisible : mauvaise clé ou fichier altéré") from None
    if not isinstance(data, dict):
        raise VaultKeyError("correspondance illisible : contenu inattendu")
    return data


class VaultStore(Protocol):
    """Where sealed conversations are kept between requests (memory, files, a database later)."""

    def save(self, conversation_id: str, blob: bytes) -> None:
        """Store (or replace) the sealed blob of a conversation."""

    def load(self, conversation_id: str) -> bytes | None:
        """The sealed blob, or None when unknown."""

    def delete(self, conversation_id: str) -> None:
        """Forget a conversation (no error when unknown)."""


class MemoryStore:
    """A :class:`VaultStore` in a dict, for one process."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}

    def save(self, conversation_id: str, blob: bytes) -> None:
        self._blobs[conversation_id] = blob

    def load(self, conversation_id: str) -> bytes | None:
        return self._blobs.get(conversation_id)

    def delete(self, conversation_id: str) -> None:
        self._blobs.pop(conversation_id, None)


_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


class FileStore:
    """A :class:`VaultStore` writing one sealed file per conversation (0600) in a folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _path(self, conversation_id: str) -> Path:
        if not _SAFE_ID.fullmatch(conversation_id):
            raise VaultError("identifiant de conversation invalide")
        return self.directory / f"{conversation_id}.vault"

    def save(self, conversation_id: str, blob: bytes) -> None:
        path = self._path(conversation_id)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)

    def load(self, conversation_id: str) -> bytes | None:
        path = self._path(conversation_id)
        return path.read_bytes() if path.exists() else None

    def delete(self, conversation_id: str) -> None:
        self._path(conversation_id).unlink(missing_ok=True)
