"""Consistent replacement values for one conversation: realistic surrogates or typed tags.

The same original always gets the same replacement within a conversation (keyed on the label
and the folded value, so ``DUPONT`` and ``Dupont`` become ``MARTIN`` and ``Martin``), names are
replaced word by word (``Dupont`` alone after ``Jean Dupont`` keeps its surrogate), and two
different originals never share one. A replacement never equals an original of the
conversation, another replacement, nor anything already written in the text being protected,
which is what keeps revealing exact. Dates move by one constant offset per conversation.

Operators follow the design's convention: typed dataclasses with one method, ``make``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from avec.protect import fakes
from avec.protect.dateshift import shift_date
from avec.protect.reveal import bounded, fold_same_length, needle, needle_pieces
from avec.protect.vault import Vault

_NAME_LABELS = frozenset({"NOM", "PRENOM"})
_DATE_LABELS = frozenset({"DATE", "DATE_NAISSANCE"})
_KEEP_WORDS = frozenset({
    "de", "du", "des", "le", "la", "les", "van", "von", "den", "der", "di", "da", "del", "della",
    "dos", "das", "el", "al", "ben", "ibn",  # particles
    "m", "mme", "mlle", "mr", "dr", "pr", "madame", "monsieur", "mademoiselle", "docteur", "professeur",
})  # fmt: skip
_SEP = "\x1f"


def norm(value: str) -> str:
    """Comparison key: folded, with spaces and hyphens collapsed to one space."""
    return re.sub(r"[\s\-]+", " ", fold_same_length(value)).strip()


class Operator(Protocol):
    """Turns one original into a candidate replacement (None when it cannot)."""

    def make(self, original: str, label: str, ctx: Allocator) -> str | None:
        """A candidate for ``original``; the allocator checks it and may ask again."""


@dataclass(frozen=True)
class Tag:
    """Typed tags numbered per label and conversation: ``[NOM_1]``, ``[PRENOM_2]``."""

    fmt: str = "[{label}_{n}]"

    def make(self, original: str, label: str, ctx: Allocator) -> str | None:
        """The next free tag for ``label``."""
        return self.fmt.format(label=label, n=ctx.next_number(label))


@dataclass(frozen=True)
class Surrogate:
    """Realistic French values (faker ``fr_FR`` word lists, seeded per conversation)."""

    def make(self, original: str, label: str, ctx: Allocator) -> str | None:
        """A value of the same kind and layout as ``original``."""
        rng = ctx.rng
        if label in _NAME_LABELS:
            return _name(original, label, ctx)
        if label in _DATE_LABELS:
            return shift_date(original, ctx.state.date_offset)
        makers: dict[str, Callable[[], str | None]] = {
            "TEL": lambda: fakes.phone(rng, original),
            "SECU": lambda: fakes.nir(rng, original),
            "IBAN": lambda: fakes.iban(rng, original),
            "RPPS": lambda: fakes.rpps(rng, original),
            "IPP": lambda: fakes.scramble(rng, original),
            "NDA": lambda: fakes.scramble(rng, original),
            "ZIP": lambda: fakes.zip_code(rng) if re.fullmatch(r"\d{5}", original) else None,
            "VILLE": lambda: fakes.city(rng, original),
            "ADRESSE": lambda: fakes.street(rng, original),
            "MAIL": lambda: fakes.mail(rng),
            "URL": lambda: fakes.url(rng, original),
            "HOPITAL": lambda: fakes.hospital(rng, original),
        }
        maker = makers.get(label)
        return maker() if maker is not None else None


def _name(original: str, label: str, ctx: Allocator) -> str | None:
    tokens = re.findall(r"[^\W\d_]+|[^\w]+|[\d_]+", original)
    out: list[str] = []
    changed = False
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        is_word = tok[:1].isalpha()
        keep = tok.lower() in _KEEP_WORDS or (tok.lower() in {"d", "l"} and nxt[:1] in "'’")
        if not is_word or (keep and len(tokens) > 1):
            out.append(tok)
            continue
        part = ctx.part(label, tok)
        if part is None:
            return None
        out.append(part)
        changed = True
    return "".join(out) if changed else None


@dataclass
class State:
    """Everything a conversation needs to keep replacing consistently (sealed with the vault)."""

    seed: int
    date_offset: int
    rng_state: list[Any] | None = None
    numbers: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    variants: dict[str, int] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def new(cls, seed: int | None = None) -> State:
        """A fresh state; the date offset is non-zero, within ±360 days."""
        seed = random.SystemRandom().getrandbits(63) if seed is None else seed
        rng = random.Random(seed)
        offset = rng.randint(1, 360) * rng.choice((-1, 1))
        return cls(seed=seed, date_offset=offset)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for sealing."""
        return dict(self.__dict__)


class Allocator:
    """Hands out replacements for one protection call, on top of a conversation's state.

    Args:
        state: the conversation's generation state (updated in place).
        vault: the conversation's vault (read only; new entries are returned in ``pending``).
        residual: the text being protected with every detected span blanked out.
        originals: originals of the spans being protected in this call.
        mode: ``surrogate`` or ``tag``.
    """

    def __init__(self, state: State, vault: Vault, residual: str, originals: list[str], mode: str) -> None:
        self.state = state
        self.vault = vault
        self.mode = mode
        self.operator: Operator = Tag() if mode == "tag" else Surrogate()
        self.rng = random.Random()
        if state.rng_state is not None:
            self.rng.setstate(_to_tuple(state.rng_state))
        else:
            self.rng.seed(state.seed)
        self._residual_raw = residual
        self._residual = fold_same_length(residual)
        self.pending: list[tuple[str, str, str, bool]] = []
        self._taken: set[str] = set()
        for e in vault:
            self._take(e.surrogate)
            self._take(e.original)
        for o in originals:
            self._take(o)

    def _take(self, value: str) -> None:
        key = norm(value)
        self._taken.add(key)
        self._taken.update(key.split(" "))

    def save_rng(self) -> None:
        """Store the random generator's position in the state."""
        self.state.rng_state = _to_list(self.rng.getstate())

    def next_number(self, label: str) -> int:
        """The next tag number for ``label``."""
        n = self.state.numbers.get(label, 0) + 1
        self.state.numbers[label] = n
        return n

    def _mapped_to(self, surrogate: str) -> str | None:
        for s, o, _, _ in self.pending:
            if s == surrogate:
                return o
        entry = self.vault.get(surrogate)
        return entry.original if entry is not None else None

    def _free(self, candidate: str, label: str, *, whole: bool = True, original: str | None = None) -> bool:
        if not candidate.strip() or self._mapped_to(candidate) not in (None, original):
            return False
        key = norm(candidate)
        if whole and key in self._taken:
            return False
        # Fast path: a needle can only match where every word of the candidate occurs.
        pieces = needle_pieces(candidate, label)
        maybe_there = pieces is None or all(p in self._residual for p in pieces)
        if maybe_there and re.search(needle(candidate, label)[0], self._residual):
            return False
        return candidate not in self._residual_raw or re.search(
            bounded(re.escape(candidate), candidate), self._residual_raw
        ) is None

    def part(self, label: str, word: str) -> str | None:
        """The consistent replacement of one word of a name, in the word's case style."""
        key = label + _SEP + fold_same_length(word)
        base = self.state.parts.get(key)
        if base is None:
            for _ in range(30):
                cand = (
                    fakes.initial(self.rng, word)
                    if len(word) == 1
                    else fakes.first_name(self.rng, word)
                    if label == "PRENOM"
                    else fakes.last_name(self.rng, word)
                )
                if norm(cand) not in self._taken and self._free(cand, label, whole=False):
                    base = cand
                    break
            if base is None:
                return None
            self.state.parts[key] = base
            self._take(base)
        rendered = fakes.case_like(base, word) if len(word) > 1 else _initial_case(base, word)
        if len(word) > 1 and self._mapped_to(rendered) in (None, word):
            self.pending.append((rendered, word, label, True))
        return rendered

    def replacement(self, original: str, label: str) -> str:
        """The replacement for one span, recording the new mappings in ``pending``."""
        exact_key = label + _SEP + "=" + original
        known = self.state.keys.get(exact_key)
        if known is not None and self._mapped_to(known) in (None, original):
            return self._record(known, original, label)
        key = label + _SEP + norm(original)
        base = self.state.keys.get(key)
        if base is not None:
            variant = self._variant(base, original)
            if variant is not None and self._mapped_to(variant) is None and self._free(variant, label):
                self.state.keys[exact_key] = variant
                return self._record(variant, original, label)
        value = self._new(original, label)
        self.state.keys.setdefault(key, value)
        self.state.keys[exact_key] = value
        self._take(value)
        return self._record(value, original, label)

    def _variant(self, base: str, original: str) -> str | None:
        if self.mode == "tag":
            n = self.state.variants.get(base, 1) + 1
            self.state.variants[base] = n
            return base[:-1] + f".{n}" + base[-1:] if base.endswith("]") else f"{base}.{n}"
        return fakes.case_like(base, original)

    def _new(self, original: str, label: str) -> str:
        for _ in range(12):
            cand = self.operator.make(original, label, self)
            if cand is None:
                break
            # Name parts are unique by construction; the whole name only needs the text check.
            if cand != original and self._free(
                cand, label, whole=label not in _NAME_LABELS, original=original
            ):
                return cand
        # Unknown label, unparsable date or no free value: a tag-like placeholder still reveals.
        while True:
            cand = Tag().make(original, label, self) or ""
            if self._free(cand, label):
                return cand

    def _record(self, surrogate: str, original: str, label: str) -> str:
        self.pending.append((surrogate, original, label, False))
        return surrogate


def _initial_case(base: str, like: str) -> str:
    return base.lower() if like.islower() else base.upper()


def _to_list(value: Any) -> Any:
    return [_to_list(v) for v in value] if isinstance(value, tuple | list) else value


def _to_tuple(value: Any) -> Any:
    return tuple(_to_tuple(v) for v in value) if isinstance(value, list) else value
