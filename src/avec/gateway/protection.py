"""Protecting a chat request: every prose string of every message, under the request's policy.

Fail closed by construction: the outgoing body is built only from protected strings, any
string field of a message is protected (not only ``content``), tool-call arguments are
protected JSON-aware (an upstream may escape ``é`` as ``\\u00e9``), and a content part that
cannot be protected (image, audio, file) refuses the request.

Chat clients re-send the whole history at every turn; a per-process cache of protected texts
(keyed by a SHA-256 of conversation, policy and text, holding only pseudonymized
text and counts) avoids detecting the same message again. A cached text is used only if
revealing it with the current vault gives back the input exactly.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, cast

from avec.config import Settings
from avec.gateway.body import loads_bounded
from avec.gateway.errors import GatewayError, bad_request
from avec.gateway.policy import PolicyDetector
from avec.protect.api import Conversation, protect
from avec.protect.pipeline import Pipeline
from avec.protect.reveal import expiry_check, matcher_for, reveal_text
from avec.protect.vault import VaultError

_SKIP_KEYS = frozenset({"role", "name", "tool_call_id", "id", "type"})
_TEXT_PARTS = frozenset({"text", "input_text", "output_text", "refusal"})
#: Request fields that may carry free text about people and are never forwarded.
DROPPED_FIELDS = ("user", "metadata")
_MAX_ARGUMENT_DEPTH = 64


class ProtectCache:
    """A bounded LRU of ``digest -> (protected text, replaced, allowed)``; thread-safe."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._rows: OrderedDict[str, tuple[str, Counter[str], Counter[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> tuple[str, Counter[str], Counter[str]] | None:
        with self._lock:
            row = self._rows.get(digest)
            if row is not None:
                self._rows.move_to_end(digest)
            return row

    def put(self, digest: str, row: tuple[str, Counter[str], Counter[str]]) -> None:
        with self._lock:
            self._rows[digest] = row
            self._rows.move_to_end(digest)
            while len(self._rows) > self.max_entries:
                self._rows.popitem(last=False)


@dataclass
class ProtectedRequest:
    """The body to send upstream, and what protection did (counts only)."""

    body: dict[str, Any]
    replaced: Counter[str] = field(default_factory=Counter)
    allowed: Counter[str] = field(default_factory=Counter)
    source: str = ""  # original user and tool texts, for grounding checks (memory only)


class RequestProtector:
    """Protects the strings of one request within one conversation.

    Args:
        conversation: the request's conversation (its vault grows as texts are protected).
        detector: the policy-wrapped detection step.
        cache: protected-text cache shared by requests.
        scope: storage key of the conversation plus policy fingerprint (cache scope).
        settings: protection settings (surrogate mode, size limit).
        defer_last: leave the recording of the last text's content (what no later surrogate
            may be drawn among) to :meth:`remember_pending`, once the request is sent.
    """

    def __init__(
        self,
        conversation: Conversation,
        detector: PolicyDetector,
        cache: ProtectCache,
        scope: str,
        settings: Settings,
        defer_last: bool = False,
    ) -> None:
        self.conversation = conversation
        self.defer_last = defer_last
        self._pending: tuple[str, list[tuple[int, int]]] | None = None
        self.detector = detector
        self.cache = cache
        self.scope = scope
        self.settings = settings
        self.replaced: Counter[str] = Counter()
        self.allowed: Counter[str] = Counter()

    def text(self, text: str) -> str:
        """The protected form of one string (blank strings are returned as they are)."""
        if not text.strip():
            return text
        # A text protected next must know the words of the one before (same request).
        self.remember_pending()
        digest = hashlib.sha256(f"{self.scope}\x00{text}".encode()).hexdigest()
        hit = self.cache.get(digest)
        if hit is not None and self._still_valid(hit[0], text):
            self.replaced.update(hit[1])
            self.allowed.update(hit[2])
            # The conversation must know this text is sent again, so that no later surrogate
            # is drawn among its words (it may have been saved without it, or restarted).
            self.conversation.note_sent(hit[0])
            return hit[0]
        before_r, before_a = Counter(self.detector.replaced), Counter(self.detector.allowed)
        # ``protect`` only calls ``detect``: the policy wrapper stands in for a pipeline.
        result = protect(
            text,
            self.conversation,
            pipeline=cast(Pipeline, self.detector),
            settings=self.settings,
            remember_now=not self.defer_last,
        )
        if self.defer_last:
            self._pending = (result.text, [(r.out_start, r.out_end) for r in result.replacements])
        rep = self.detector.replaced - before_r
        alw = self.detector.allowed - before_a
        self.replaced.update(rep)
        self.allowed.update(alw)
        self.cache.put(digest, (result.text, rep, alw))
        return result.text

    def remember_pending(self) -> None:
        """Record the content of the last text protected, if :attr:`defer_last` left it."""
        if self._pending is not None:
            sent, surrogates = self._pending
            self._pending = None
            self.conversation.remember_sent(sent, surrogates)

    def _still_valid(self, protected_text: str, text: str) -> bool:
        check = expiry_check(self.conversation.vault.clock())
        try:  # an expired mapping raises: the text is then protected again
            return reveal_text(protected_text, matcher_for(self.conversation.vault), check) == text
        except VaultError:
            return False

    def json_text(self, arguments: str) -> str:
        """Protect tool-call arguments string by string inside the JSON."""
        if not arguments.strip():
            return arguments
        try:
            data = loads_bounded(arguments, _MAX_ARGUMENT_DEPTH)
        except (ValueError, GatewayError):  # not JSON, or too deep to walk: protected as text
            return self.text(arguments)
        return json.dumps(self._walk_json(data), ensure_ascii=False)

    def _walk_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._walk_json(v) for v in value]
        if isinstance(value, dict):
            return {self._walk_json(k): self._walk_json(v) for k, v in value.items()}
        return value

    def message(self, message: Any, index: int) -> dict[str, Any]:
        """A protected copy of one message.

        Raises:
            GatewayError: 400 for a malformed message or a part that cannot be protected.
        """
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise bad_request("avec_invalid_message", f"Message {index} invalide.", f"messages.{index}")
        return cast(dict[str, Any], self._walk(message, "", f"messages.{index}"))

    def _walk(self, value: Any, key: str, where: str) -> Any:
        if isinstance(value, str):
            if key in _SKIP_KEYS:
                return value
            return self.json_text(value) if key == "arguments" else self.text(value)
        if isinstance(value, list):
            return [self._walk(v, key, f"{where}.{i}") for i, v in enumerate(value)]
        if isinstance(value, dict):
            part_type = value.get("type")
            if key == "content" and isinstance(part_type, str) and part_type not in _TEXT_PARTS:
                raise bad_request(
                    "avec_unsupported_content",
                    "Contenu non textuel (image, audio, fichier) : AVEC ne sait pas le protéger, "
                    "la requête n'a pas été envoyée.",
                    where,
                )
            return {k: self._walk(v, k, f"{where}.{k}") for k, v in value.items()}
        return value


def source_text(messages: list[Any]) -> str:
    """The original user and tool texts, joined: the source a grounding check compares with."""
    out: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "tool", "system"):
            continue
        content = message.get("content")
        if isinstance(content, str):
            out.append(content)
        elif isinstance(content, list):
            out.extend(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return "\n\n".join(out)


def protect_request(body: dict[str, Any], protector: RequestProtector) -> ProtectedRequest:
    """The upstream body: ``messages`` protected, ``user``/``metadata`` dropped, the rest kept.

    Raises:
        GatewayError: malformed messages or unprotectable content (nothing is sent).
        BlockedCategoryError: a blocked data category is present.
        ProtectionError, InputError: protection failed (the caller refuses the request).
    """
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request(
            "avec_invalid_messages", "Le champ « messages » doit être une liste non vide.", "messages"
        )
    out = {k: v for k, v in body.items() if k not in DROPPED_FIELDS and k != "messages"}
    out["messages"] = [protector.message(m, i) for i, m in enumerate(messages)]
    return ProtectedRequest(out, protector.replaced, protector.allowed, source_text(messages))
