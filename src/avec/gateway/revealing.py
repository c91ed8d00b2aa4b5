"""Revealing answers in the gateway: whole messages, JSON tool arguments, and low-latency streams.

:class:`LowLatencyRevealer` gives exactly the output of :func:`avec.protect.reveal.reveal_text`
over the whole answer (same :class:`~avec.protect.reveal.Matcher`), but holds back less than
:class:`~avec.protect.reveal.StreamRevealer`: instead of a fixed tail as long as the longest
surrogate, it holds only from the first place where a surrogate *could* be starting, found with
the ``regex`` module's partial matching on the same tolerant needles. Ordinary text is released
at once, so the time to first token barely moves; a surrogate cut between chunks is still
never sent in surrogate form.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import regex

from avec.protect.api import Conversation
from avec.protect.reveal import (
    expiry_check,
    fold_same_length,
    matcher_for,
    needle,
    reveal_text,
)
from avec.protect.vault import Entry

_log = logging.getLogger("avec.gateway")

# Keys of a message object that are never prose (not revealed).
_SKIP_KEYS = frozenset({"role", "id", "type", "name", "tool_call_id", "index"})


@lru_cache(maxsize=256)
def _partial_pattern(needles: tuple[str, ...]) -> regex.Pattern[str]:
    # Compiling is the costly part; a conversation's needle set repeats across its turns.
    return regex.compile("|".join(f"(?:{n})" for n in needles))


class LowLatencyRevealer:
    """Reveal a streamed text chunk by chunk, holding back only possible surrogate beginnings.

    Args:
        conversation: the conversation whose surrogates are revealed.
    """

    def __init__(self, conversation: Conversation) -> None:
        entries = list(conversation.vault)
        self._matcher = matcher_for(conversation.vault)
        self._check: Callable[[Entry], None] = expiry_check(conversation.vault.clock())
        # The matcher also finds surrogates written exactly (``+33 2 55…``, whose tolerant
        # needle starts at the first digit): hold from their first character too, or a ``+``
        # released early would be repeated by the replacement (``++33``).
        tolerant = {needle(e.surrogate, e.label)[0] for e in entries}
        exact = {regex.escape(fold_same_length(e.surrogate)) for e in entries if e.surrogate}
        keys = sorted(tolerant | exact, key=lambda n: (-len(n), n))
        self._partial = _partial_pattern(tuple(keys)) if keys else None
        self._buf = ""
        self._ctx = ""  # last released character, for the word-boundary look-behind
        self._starts: dict[str, bool] = {}

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the revealed text that can be sent now."""
        self._buf += chunk
        if self._partial is None:
            out, self._buf = self._buf, ""
            return out
        return self._release(self._partial, final=False)

    def flush(self) -> str:
        """Reveal and return everything still held (end of the stream)."""
        if not self._buf:
            return ""
        if self._partial is None:
            out, self._buf = self._buf, ""
            return out
        return self._release(self._partial, final=True)

    @property
    def held(self) -> int:
        """Characters currently held back."""
        return len(self._buf)

    def _hold_from(self, pattern: regex.Pattern[str], text: str, folded: str, base: int) -> int:
        """Offset from which the text may still become (part of) a surrogate.

        No match is longer than ``max_length``, so only the last ``max_length`` characters can
        begin a surrogate that is not complete yet, or a complete one that could still grow
        ("gilbert" of "gilbert.bonnin@voila.fr"). Each place there is tried with an anchored
        match: a partial *search* reports a complete match found further on rather than the
        partial one beginning earlier, so a name inside an e-mail or an address surrogate
        ("henri.riviere@…" where "Rivière" is itself a surrogate) released the beginning of the
        longer surrogate, and the stream revealed only the name.

        Inside a word no surrogate can start: every needle of the matcher beginning with a
        letter or digit is bounded by ``(?<!\\w)`` (on the folded text; exact surrogates on the
        text itself), so nothing found there could be replaced. Skipping those places saves
        most of the pattern calls, the costliest step of a streamed chunk.
        """
        end = len(folded)
        for start in range(max(base, end - self._matcher.max_length), end):
            if (
                self._may_start(pattern, folded[start])
                and not (start and _inside_word(text, start) and _inside_word(folded, start))
                and pattern.match(folded, start, partial=True)
            ):
                return start
        return end

    def _may_start(self, pattern: regex.Pattern[str], char: str) -> bool:
        """Whether some needle can begin with ``char`` (cached: most characters cannot)."""
        known = self._starts.get(char)
        if known is None:
            # Alone in a string, every look-behind passes: a needle starting with ``char``
            # matches it at least partially.
            known = self._starts[char] = pattern.match(char, partial=True) is not None
        return known

    def _release(self, pattern: regex.Pattern[str], final: bool) -> str:
        text = self._ctx + self._buf
        base = len(self._ctx)
        folded = fold_same_length(text)
        cut = len(text) if final else self._hold_from(pattern, text, folded, base)
        if cut <= base:
            return ""
        out: list[str] = []
        cur = base
        for m in self._matcher.scan(text, folded, base):
            if m.end > cut:
                if m.start < cut and not final:
                    cut = m.start
                break
            self._check(m.entry)
            out.append(text[cur : m.start])
            out.append(m.replacement)
            cur = m.end
        out.append(text[cur:cut])
        self._ctx = text[cut - 1 : cut] if cut > 0 else self._ctx
        self._buf = text[cut:]
        return "".join(out)


def _inside_word(text: str, i: int) -> bool:
    """Whether ``text[i]`` and the character before it are both word characters (``re``'s ``\\w``)."""
    a, b = text[i - 1], text[i]
    return (a.isalnum() or a == "_") and (b.isalnum() or b == "_")


def prepare_stream(conversation: Conversation) -> None:
    """Build ahead what revealing a stream of ``conversation`` needs (matcher, partial pattern).

    Both are cached, so the revealers created at the first chunk find them ready (0.13 ms
    instead of 2.4 for a 2,000-character request): compiling them then would delay the first
    token. Called in a worker thread while the model thinks; a failure only leaves the work to
    the first chunk.
    """
    try:
        LowLatencyRevealer(conversation)
    except Exception as exc:
        _log.warning("préparation de la restitution en flux impossible (%s)", type(exc).__name__)


def reveal_json_text(arguments: str, conversation: Conversation) -> str:
    """Reveal tool-call arguments: JSON-aware, so escapes and quotes stay valid.

    The upstream may write ``\\u00e9`` for ``é`` inside a JSON string; revealing the parsed
    strings and dumping them again handles that, and an original holding a quote cannot break
    the JSON. Arguments that are not JSON are revealed as plain text.
    """
    matcher = matcher_for(conversation.vault)
    if not matcher or not arguments:
        return arguments
    check = expiry_check(conversation.vault.clock())
    try:
        data = json.loads(arguments)
    except ValueError:
        return reveal_text(arguments, matcher, check)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return reveal_text(value, matcher, check)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {walk(k): walk(v) for k, v in value.items()}
        return value

    return json.dumps(walk(data), ensure_ascii=False)


def reveal_message(message: dict[str, Any], conversation: Conversation) -> dict[str, Any]:
    """A copy of an assistant message with every prose string and tool argument revealed."""
    matcher = matcher_for(conversation.vault)
    check = expiry_check(conversation.vault.clock())

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, str):
            if key in _SKIP_KEYS:
                return value
            if key == "arguments":
                return reveal_json_text(value, conversation)
            return reveal_text(value, matcher, check)
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        return value

    out: dict[str, Any] = walk(message)
    return out
