"""Revealing answers in the gateway: whole messages, JSON tool arguments, and low-latency streams.

:class:`LowLatencyRevealer` gives exactly the output of :func:`avec.protect.reveal.reveal_text`
over the whole answer (same :class:`~avec.protect.reveal.Matcher`), but holds back less than
:class:`~avec.protect.reveal.StreamRevealer`: instead of a fixed tail as long as the longest
surrogate, it holds only from the first place where a surrogate *could* be starting. Ordinary
text is released at once, so the time to first token barely moves; a surrogate cut between
chunks is still never sent in surrogate form.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from avec.protect.api import Conversation
from avec.protect.reveal import (
    expiry_check,
    fold_same_length,
    matcher_for,
    number_run,
    reveal_text,
    squeeze_separators,
)
from avec.protect.vault import Entry, Vault

_log = logging.getLogger("avec.gateway")

# Keys of a message object that are never prose (not revealed).
_SKIP_KEYS = frozenset({"role", "id", "type", "name", "tool_call_id", "index"})


def _beginnings(entries: Iterable[Entry]) -> tuple[frozenset[str], frozenset[str]]:
    """What a text may be, separators removed, while it can still become a surrogate.

    Every needle of the matcher only lets separators (white space, ``.``, ``-``) vary between
    the characters of its surrogate, so any text it matches, once :func:`squeeze_separators`
    removed them, is the squeezed surrogate (for numbers: its letters and digits). A text whose
    squeezed form is not the beginning of one of those keys can therefore never grow into a
    surrogate. This over-approximates the needles (it ignores how many separators they allow)
    and only ever holds more, never less; it replaces a partial-matching pattern whose
    compilation cost a millisecond per stream.

    Returns:
        The squeezed beginnings of every key, and the characters a match may start with.
    """
    keys: set[str] = set()
    starts: set[str] = set()
    for e in entries:
        folded = fold_same_length(e.surrogate)
        if folded:
            starts.add(folded[0])  # the exact surrogate, a tag's ``[``, a word's first letter
            keys.add(squeeze_separators(folded))
        run = number_run(e.surrogate, e.label)
        if run:  # a number's needle starts at its first letter or digit (``+33…``: at ``3``)
            starts.add(run[0])
            keys.add(run)
    beginnings = {key[:n] for key in keys for n in range(1, len(key) + 1)}
    return frozenset(beginnings), frozenset(starts)


# Per vault, while its version holds: 0.6 ms for 200 surrogates, built ahead by
# :func:`prepare_reveal` rather than at the first chunk of each streamed choice.
_BEGINNINGS: weakref.WeakKeyDictionary[Vault, tuple[int, frozenset[str], frozenset[str]]] = (
    weakref.WeakKeyDictionary()
)


def _beginnings_of(vault: Vault) -> tuple[frozenset[str], frozenset[str]]:
    cached = _BEGINNINGS.get(vault)
    if cached is not None and cached[0] == vault.version:
        return cached[1], cached[2]
    beginnings, starts = _beginnings(vault)
    _BEGINNINGS[vault] = (vault.version, beginnings, starts)
    return beginnings, starts


class LowLatencyRevealer:
    """Reveal a streamed text chunk by chunk, holding back only possible surrogate beginnings.

    Args:
        conversation: the conversation whose surrogates are revealed.
    """

    def __init__(self, conversation: Conversation) -> None:
        self._matcher = matcher_for(conversation.vault)
        self._check: Callable[[Entry], None] = expiry_check(conversation.vault.clock())
        self._beginnings, self._starts = _beginnings_of(conversation.vault)
        self._buf = ""
        self._ctx = ""  # last released character, for the word-boundary look-behind

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the revealed text that can be sent now."""
        self._buf += chunk
        if not self._starts:
            out, self._buf = self._buf, ""
            return out
        return self._release(final=False)

    def flush(self) -> str:
        """Reveal and return everything still held (end of the stream)."""
        if not self._buf:
            return ""
        if not self._starts:
            out, self._buf = self._buf, ""
            return out
        return self._release(final=True)

    @property
    def held(self) -> int:
        """Characters currently held back."""
        return len(self._buf)

    def _hold_from(self, text: str, folded: str, base: int) -> int:
        """Offset from which the text may still become (part of) a surrogate.

        No match is longer than ``max_length``, so only the last ``max_length`` characters can
        begin a surrogate that is not complete yet, or a complete one that could still grow
        ("gilbert" of "gilbert.bonnin@voila.fr"). The leftmost such place wins: a name inside
        an e-mail or an address surrogate ("henri.riviere@…" where "Rivière" is itself a
        surrogate) is held with the longer surrogate, not released before it.

        Inside a word no surrogate can start: every needle of the matcher beginning with a
        letter or digit is bounded by ``(?<!\\w)`` (on the folded text; exact surrogates on the
        text itself), so nothing found there could be replaced.
        """
        end = len(folded)
        for start in range(max(base, end - self._matcher.max_length), end):
            if (
                folded[start] in self._starts
                and not (start and _inside_word(text, start) and _inside_word(folded, start))
                and self._may_grow(folded[start:])
            ):
                return start
        return end

    def _may_grow(self, tail: str) -> bool:
        """Whether ``tail`` (folded) may be, or become, a match of some surrogate."""
        squeezed = squeeze_separators(tail)
        # Empty: only separators so far, after a character some surrogate starts with.
        return not squeezed or squeezed in self._beginnings

    def _release(self, final: bool) -> str:
        text = self._ctx + self._buf
        base = len(self._ctx)
        folded = fold_same_length(text)
        cut = len(text) if final else self._hold_from(text, folded, base)
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


def prepare_reveal(conversation: Conversation, stream: bool) -> None:
    """Build ahead the matcher that reveals the answers of ``conversation`` (and, for a
    ``stream``, where a surrogate may begin).

    It is cached with the vault, so revealing the answer (whole, or each streamed chunk) finds
    it ready: the vault comes from the protection process without its compiled patterns, and
    compiling them (≈ 0.5 ms for a 2,000-character request) once the answer is there would
    delay it, or the first token. Called on the event loop once the request is sent, while the
    model thinks; a failure only leaves the work to the answer.
    """
    try:
        matcher_for(conversation.vault)
        if stream:
            _beginnings_of(conversation.vault)
    except Exception as exc:
        _log.warning("préparation de la restitution impossible (%s)", type(exc).__name__)


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
