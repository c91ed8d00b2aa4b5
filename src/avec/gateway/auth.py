"""Client API keys: generated high-entropy, stored as SHA-256, compared in constant time.

Keys are random 256-bit tokens, so a fast hash is enough (no password stretching needed): a
stolen hash list cannot be turned back into keys. Every configured hash is compared with
:func:`hmac.compare_digest` and the loop never stops early, so timing reveals nothing about
which key is close.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from avec.gateway.config import KeyEntry
from avec.gateway.errors import unauthorized

_PREFIX = "avec-"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who sends a request: a key id (never the key) and its team."""

    id: str
    team: str | None = None


ANONYMOUS = Principal("anonyme", None)


def hash_key(key: str) -> str:
    """The stored form of a client key (SHA-256, hex)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh client key and its hash, for ``avec gateway key``."""
    key = _PREFIX + secrets.token_urlsafe(32)
    return key, hash_key(key)


class KeyRing:
    """Looks up client keys among hashed entries.

    Args:
        entries: configured keys (id, team, SHA-256).
        allow_anonymous: requests without ``Authorization`` are accepted as :data:`ANONYMOUS`.
    """

    def __init__(self, entries: Iterable[KeyEntry], *, allow_anonymous: bool = False) -> None:
        self._entries: Sequence[KeyEntry] = tuple(entries)
        self.allow_anonymous = allow_anonymous

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal of an ``Authorization: Bearer <key>`` header.

        Raises:
            GatewayError: 401 when the key is missing (and anonymous use is off) or unknown.
        """
        if not authorization:
            if self.allow_anonymous:
                return ANONYMOUS
            raise unauthorized(
                "avec_missing_key",
                "Clé d'API manquante : ajoutez l'en-tête « Authorization: Bearer <clé AVEC> ».",
            )
        scheme, _, key = authorization.strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise unauthorized(
                "avec_missing_key", "En-tête Authorization attendu sous la forme « Bearer <clé> »."
            )
        presented = hash_key(key).encode()
        found: KeyEntry | None = None
        for entry in self._entries:  # no early exit: constant time in the number of keys
            if hmac.compare_digest(presented, entry.sha256.encode()):
                found = entry
        if found is None:
            raise unauthorized("invalid_api_key", "Clé d'API inconnue ou révoquée.")
        return Principal(found.id, found.team)
