"""Public entry points: ``protect(text, conversation)`` and ``reveal(answer, conversation)``.

``protect`` detects identifiers, replaces each by a consistent surrogate (or a typed tag) and
records the mapping in the conversation's encrypted, expiring vault. It then checks its own work:
revealing the protected text must give back the input exactly, otherwise it draws new
surrogates, and fails closed if it still cannot. Strings of the input that already look like a
surrogate of the conversation (or a tag) are themselves replaced, so that revealing never
changes text the user wrote.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import ahocorasick

from avec.config import Settings, get_settings
from avec.protect.indirect import IndirectRisk, assess
from avec.protect.pipeline import Pipeline, ProtectionError, default_pipeline
from avec.protect.reveal import (
    StreamRevealer,
    expiry_check,
    fold_same_length,
    is_word_char,
    matcher_for,
    reveal_text,
)
from avec.protect.surrogates import Allocator, State, civility_gender, remember, remembered
from avec.protect.vault import Vault, VaultError, load_key, seal, unseal
from avec.text import Span

_ATTEMPTS = 6
_MODES = ("surrogate", "tag")


class InputError(ValueError):
    """The input cannot be processed; the French message never quotes it."""


class EmptyInputError(InputError):
    """The text is empty or blank."""


class InputTooLargeError(InputError):
    """The text is longer than ``max_input_chars``."""


class InputTypeError(InputError):
    """The input is not a ``str``."""


def check_input(text: object, settings: Settings) -> str:
    """Return ``text`` if it is a non-empty ``str`` within the size limit.

    Raises:
        InputTypeError, EmptyInputError, InputTooLargeError: with a French message.
    """
    if not isinstance(text, str):
        raise InputTypeError(f"le texte doit être une chaîne de caractères (reçu : {type(text).__name__})")
    if not text.strip():
        raise EmptyInputError("le texte est vide : rien à protéger")
    if len(text) > settings.max_input_chars:
        raise InputTooLargeError(
            f"texte trop long ({len(text)} caractères, maximum {settings.max_input_chars}) : "
            "découpez-le ou augmentez AVEC_MAX_INPUT_CHARS"
        )
    return text


@dataclass
class Conversation:
    """One conversation's vault and replacement state; pass it to every protect and reveal.

    Create with :meth:`new`; keep it in memory, or seal it with :meth:`to_blob` / :meth:`save`.
    """

    vault: Vault
    state: State
    id: str = field(default_factory=lambda: secrets.token_hex(8))

    @classmethod
    def new(
        cls,
        settings: Settings | None = None,
        *,
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Conversation:
        """A fresh conversation with the TTL of ``settings`` (seed: for reproducible tests)."""
        settings = settings or get_settings()
        return cls(Vault(settings.vault_ttl_seconds, clock), State.new(seed))

    def purge(self) -> int:
        """Forget expired mappings; returns how many were removed."""
        return self.vault.purge()

    def to_blob(self, key: bytes) -> bytes:
        """The whole conversation, encrypted (Fernet)."""
        return seal({"id": self.id, "vault": self.vault.to_dict(), "state": self.state.to_dict()}, key)

    @classmethod
    def from_blob(cls, blob: bytes, key: bytes, clock: Callable[[], float] = time.time) -> Conversation:
        """Rebuild a conversation sealed by :meth:`to_blob`.

        Raises:
            VaultKeyError: wrong key or altered blob. VaultError: unexpected content.
        """
        data = unseal(blob, key)
        try:
            state = State(**data["state"])
            return cls(Vault.from_dict(data["vault"], clock), state, str(data["id"]))
        except (KeyError, TypeError):
            raise VaultError("correspondance illisible (format inattendu)") from None

    def save(self, path: Path, key: bytes | None = None) -> None:
        """Write the sealed conversation to ``path`` (0600); key from the settings by default."""
        import os

        blob = self.to_blob(key if key is not None else load_key(get_settings()))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)

    @classmethod
    def load(cls, path: Path, key: bytes | None = None) -> Conversation:
        """Read a conversation written by :meth:`save`."""
        return cls.from_blob(Path(path).read_bytes(), key if key is not None else load_key(get_settings()))

    def note_sent(self, sent: str) -> None:
        """Record that ``sent``, a text protected earlier in this conversation, is sent again.

        :func:`protect` records what it returns; a caller reusing a protected text it kept
        (the gateway's cache) calls this, so that no later surrogate is found in that text even
        when the conversation was stored without it (a save lost to another replica, a vault
        expired and started again).
        """
        if remembered(self.state, sent):  # the history re-sent at every turn: nothing to scan
            return
        matcher = matcher_for(self.vault)
        found = matcher.scan(sent, fold_same_length(sent), 0) if matcher else []
        remember(self.state, sent, [(m.start, m.end) for m in found])

    def remember_sent(self, sent: str, surrogates: list[tuple[int, int]]) -> None:
        """Record what ``sent`` contains, for a text :func:`protect` returned with
        ``remember_now=False`` (``surrogates``: the ``out_start, out_end`` of its replacements).
        """
        remember(self.state, sent, surrogates)

    def stream(self) -> StreamRevealer:
        """A streaming revealer for one answer of this conversation."""
        return StreamRevealer(matcher_for(self.vault), expiry_check(self.vault.clock()))


@dataclass(frozen=True, slots=True)
class Replacement:
    """One replaced identifier: ``[start, end)`` in the input, ``[out_start, out_end)`` in the output."""

    start: int
    end: int
    label: str
    surrogate: str
    out_start: int
    out_end: int


@dataclass(frozen=True)
class Protected:
    """The result of :func:`protect`.

    Attributes:
        text: the pseudonymized text, safe to send.
        spans: the identifiers found in the input (offsets into the input).
        conversation: the conversation holding the mapping (pass it to :func:`reveal`).
        replacements: what replaced what, without the originals.
    """

    text: str
    spans: list[Span]
    conversation: Conversation
    replacements: list[Replacement]
    _input: str = field(default="", repr=False, compare=False)

    @cached_property
    def risk(self) -> IndirectRisk:
        """Indirect-identification risk of the input (computed on first use: the gateway never
        asks, the companion always does)."""
        return assess(self._input, self.spans)

    def __repr__(self) -> str:  # never print the mapping or the input by accident
        return f"Protected({len(self.text)} caractères, {len(self.spans)} identifiants)"


def _normalise(text: str, spans: list[Span]) -> list[Span]:
    """Strip blank edges, widen to whole words, and merge overlaps.

    Widening makes each replaced region flanked by non-word characters, so that the surrogate
    put there is found again by the word-bounded search of :mod:`avec.protect.reveal`.
    """
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        a, b = s.start, min(s.end, len(text))
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a >= b:
            continue
        while a > 0 and is_word_char(text[a - 1]):
            a -= 1
        while b < len(text) and is_word_char(text[b]):
            b += 1
        if out and a <= out[-1].end:  # touching regions too: glued surrogates would not reveal
            last = out.pop()
            a, b = min(a, last.start), max(b, last.end)
            s = last if last.length >= s.length else s
        out.append(Span(a, b, s.label, s.score, s.source))
    return out


def _escapes(text: str, conversation: Conversation) -> list[Span]:
    """Spans for input strings that revealing would otherwise turn into something else."""
    matcher = matcher_for(conversation.vault)
    if not matcher:
        return []
    found = matcher.scan(text, fold_same_length(text), 0)
    return [Span(m.start, m.end, m.entry.label, 1.0, "escape") for m in found]


def _known_originals(text: str, conversation: Conversation) -> list[Span]:
    """Spans for identifiers this conversation already replaced, wherever they appear again.

    A later turn re-sends earlier messages, including revealed answers in which an identifier
    may stand where no detector would recognise it alone (a postal code without its address).
    Once protected in a conversation, a value stays protected in it.
    """
    values = {e.original: e.label for e in conversation.vault if len(e.original.strip()) >= 3}
    if not values:
        return []
    auto = ahocorasick.Automaton()
    for value, label in values.items():
        auto.add_word(value, (len(value), label))
    auto.make_automaton()
    spans = []
    for end, (length, label) in auto.iter(text):
        start = end + 1 - length
        before = text[start - 1] if start > 0 else " "
        after = text[end + 1] if end + 1 < len(text) else " "
        if not (is_word_char(before) or is_word_char(after)):
            spans.append(Span(start, end + 1, label, 1.0, "known"))
    return spans


def protect(
    text: str,
    conversation: Conversation | None = None,
    *,
    mode: str | None = None,
    pipeline: Pipeline | None = None,
    settings: Settings | None = None,
    remember_now: bool = True,
) -> Protected:
    """Pseudonymize ``text`` within ``conversation`` (a new one when omitted).

    Args:
        text: the request or document.
        conversation: keeps replacements consistent across calls, and holds the vault.
        mode: ``surrogate`` (realistic French values) or ``tag`` (``[NOM_1]``); default from
            the settings.
        pipeline: the detection step (anything with ``detect(text) -> list[Span]``); the
            default pipeline when omitted.
        settings: defaults to the environment's.
        remember_now: False leaves to the caller the recording of what the protected text
            contains (:meth:`Conversation.remember_sent`), which must happen before the
            conversation protects another text or is saved for good: the gateway does it
            once the request is on its way.

    Raises:
        InputError: empty, too long or non-``str`` input.
        ProtectionError: detection failed, or no exact protection could be built; nothing is
            returned, so nothing can be sent.
    """
    settings = settings or get_settings()
    check_input(text, settings)
    mode = mode or settings.surrogate_mode
    if mode not in _MODES:
        raise ValueError(f"mode inconnu : {mode!r} (attendu : surrogate ou tag)")
    conversation = conversation or Conversation.new(settings)
    try:
        spans = (pipeline or default_pipeline()).detect(text)
    except ProtectionError:
        raise
    except Exception as exc:  # fail closed without echoing the text
        raise ProtectionError(f"la détection a échoué ({type(exc).__name__})") from None
    regions = _normalise(
        text, list(spans) + _escapes(text, conversation) + _known_originals(text, conversation)
    )
    # The residual text (identifiers blanked out) is what a new surrogate must not look like.
    chars = list(text)
    for s in regions:
        chars[s.start : s.end] = ["\x00"] * s.length
    residual = "".join(chars)
    originals = [s.text_in(text) for s in regions]
    # "Mme Camille": the civility gives the sex of the first name, for a surrogate of that sex.
    names = [(s.start, s.end) for s in regions if s.label in ("NOM", "PRENOM")]
    genders = [civility_gender(text, s.start, names) if s.label == "PRENOM" else None for s in regions]
    rng_state = conversation.state.rng_state
    for _ in range(_ATTEMPTS):
        state = conversation.state.copy()
        state.rng_state = rng_state
        vault = conversation.vault.copy()
        alloc = Allocator(state, vault, residual, originals, mode)
        pieces, reps, cur, out_len = [], [], 0, 0
        for s, original, gender in zip(regions, originals, genders, strict=True):
            try:
                surrogate = alloc.replacement(original, s.label, gender)
            except Exception as exc:  # fail closed, without echoing the value
                raise ProtectionError(f"le remplacement a échoué ({type(exc).__name__})") from None
            pieces.append(text[cur : s.start])
            out_len += s.start - cur
            reps.append(Replacement(s.start, s.end, s.label, surrogate, out_len, out_len + len(surrogate)))
            pieces.append(surrogate)
            out_len += len(surrogate)
            cur = s.end
        pieces.append(text[cur:])
        out = "".join(pieces)
        for sur, orig, label, part in alloc.pending:
            vault.add(sur, orig, label, part=part)
        alloc.save_rng()
        rng_state = state.rng_state
        if reveal_text(out, matcher_for(vault)) == text:
            # What was sent may come back quoted in any later answer: no later surrogate may
            # be found in it (the surrogates written here are revealed there, longest first).
            if remember_now:
                remember(state, out, [(r.out_start, r.out_end) for r in reps])
            conversation.vault, conversation.state = vault, state
            return Protected(out, list(spans), conversation, reps, text)
    raise ProtectionError("impossible de garantir une restitution exacte : rien n'a été protégé ni envoyé")


def reveal(answer: str, conversation: Conversation) -> str:
    """Put the originals back into an answer written with the conversation's surrogates.

    Raises:
        InputTypeError: ``answer`` is not a ``str``.
        VaultExpiredError: the answer uses a surrogate whose mapping has expired.
    """
    if not isinstance(answer, str):
        raise InputTypeError(
            f"la réponse doit être une chaîne de caractères (reçu : {type(answer).__name__})"
        )
    return reveal_text(answer, matcher_for(conversation.vault), expiry_check(conversation.vault.clock()))
