"""Consistent replacement values for one conversation: realistic surrogates or typed tags.

The same original always gets the same replacement within a conversation (keyed on the label
and the folded value, so ``DUPONT`` and ``Dupont`` become ``MARTIN`` and ``Martin``), names are
replaced word by word (``Dupont`` alone after ``Jean Dupont`` keeps its surrogate), and two
different originals never share one. A replacement never equals an original of the
conversation, another replacement, nor anything already written in the text being protected or
in a text the conversation protected before (remembered as hashed keys, :class:`Seen`), which
is what keeps revealing exact, also when the AI quotes an earlier message. Dates move by one
constant offset per conversation.

Operators follow the design's convention: typed dataclasses with one method, ``make``.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from avec.protect import fakes
from avec.protect.dateshift import shift_date
from avec.protect.reveal import (
    bounded,
    fold_same_length,
    needle,
    needle_key,
    needle_pieces,
    number_run,
    squeeze_separators,
    text_keys,
)
from avec.protect.vault import Vault

_NAME_LABELS = frozenset({"NOM", "PRENOM"})
_DATE_LABELS = frozenset({"DATE", "DATE_NAISSANCE"})
_KEEP_WORDS = frozenset({
    "de", "du", "des", "le", "la", "les", "van", "von", "den", "der", "di", "da", "del", "della",
    "dos", "das", "el", "al", "ben", "ibn",  # particles
    "m", "mme", "mlle", "mr", "dr", "pr", "madame", "monsieur", "mademoiselle", "docteur", "professeur",
})  # fmt: skip
_SEP = "\x1f"
# Civilities giving the sex of the person named after them ("M" also without its full stop).
_CIVILITY_GENDER: dict[str, fakes.Gender] = {
    "mme": "f", "mmes": "f", "madame": "f", "mesdames": "f", "mlle": "f", "mlles": "f", "melle": "f",
    "mademoiselle": "f", "m": "m", "mr": "m", "monsieur": "m", "messieurs": "m",
}  # fmt: skip
_CIVILITY_BEFORE = re.compile(r"(?<!\w)(\w+)\.?\s*$")
_CIVILITY_AT_START = re.compile(r"(\w+)\.?\s")


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
    gender, sure = ctx.gender, ctx.gender is not None
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        is_word = tok[:1].isalpha()
        keep = tok.lower() in _KEEP_WORDS or (tok.lower() in {"d", "l"} and nxt[:1] in "'’")
        if not is_word or (keep and len(tokens) > 1):
            if tok.lower() in _CIVILITY_GENDER and not changed:  # "Mme Camille" in one span
                gender, sure = _CIVILITY_GENDER[tok.lower()], True
            out.append(tok)
            continue
        own = False
        if label == "PRENOM" and gender is None and len(tok) > 1:
            # The first word of known sex gives the sex of a compound name: "Jean-Marie" is a
            # man's, "Marie-Claude" a woman's.
            gender = fakes.first_name_gender(tok)
            own = gender is not None
        # Only a word's own usual sex is weak evidence: a civility, or the other word of a
        # compound name, says more about this person than the word does.
        strong = sure or (gender is not None and not own)
        part = ctx.part(label, tok, gender if label == "PRENOM" else None, sure=strong)
        if part is None:
            return None
        out.append(part)
        changed = True
    return "".join(out) if changed else None


def civility_gender(text: str, start: int, names: list[tuple[int, int]]) -> fakes.Gender | None:
    """The sex a civility gives to the name starting at ``start`` in ``text``.

    The civility may stand before other name spans: "Mme DUPONT Camille".

    Args:
        names: ``[start, end)`` of the name spans of ``text``, sorted.
    """
    pos = start
    for a, b in reversed(names):
        if b > pos:
            continue
        if text[b:pos].strip():
            break
        head = _CIVILITY_AT_START.match(text, a, b)  # "Mme Dupont" detected as one name
        if head is not None and head[1].lower() in _CIVILITY_GENDER:
            return _CIVILITY_GENDER[head[1].lower()]
        pos = a  # a name just before: the civility may stand before it
    m = _CIVILITY_BEFORE.search(text, max(0, pos - 16), pos)
    return _CIVILITY_GENDER.get(m[1].lower()) if m is not None else None


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
    seen: list[list[Any]] = field(default_factory=list)  # :class:`Seen` filters, sealed as is
    # Short digests of the texts already in ``seen``: chat clients re-send the whole history at
    # every turn, and reading each old message's words again would cost more at every turn.
    remembered: list[str] = field(default_factory=list)

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

    def copy(self) -> State:
        """An independent copy to protect with (committed only if the result reveals exactly).

        Containers edited in place are copied; the random state and the seen filters are only
        ever replaced, so they are shared (a deep copy of the 625-number random state cost more
        than a quarter of a protection call).
        """
        return replace(
            self,
            numbers=dict(self.numbers),
            keys=dict(self.keys),
            variants=dict(self.variants),
            parts=dict(self.parts),
            seen=list(self.seen),
            remembered=list(self.remembered),
        )


_SEEN_FIRST_BITS = 1 << 13  # 1 KiB: a short conversation stays small
_SEEN_BITS_PER_KEY = 14  # about a quarter of the bits set: under 0.5 % false hits per filter
_SEEN_HASHES = 4


class Seen:
    """What the texts a conversation protected contain, as keys (:func:`~avec.protect.reveal.text_keys`).

    A scalable Bloom filter: when a filter is full, a new one at least twice as large is added,
    so a short conversation costs a kilobyte and a long one grows with its vocabulary. A false
    hit only makes the allocator draw another value; a key added is never missed. Only hashes
    are kept, never words.

    Args:
        data: the state's ``seen`` list (``[[base64 bits, count], ...]``).
    """

    def __init__(self, data: list[list[Any]]) -> None:
        self._filters: list[tuple[bytearray, int]] = [
            (bytearray(base64.b64decode(bits)), int(count)) for bits, count in data
        ]

    def __bool__(self) -> bool:
        return bool(self._filters)

    @staticmethod
    def _hashes(key: str) -> list[int]:
        raw = key.encode("utf-8", "surrogatepass")  # lone surrogates may come from any input
        value = int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little")
        # Two halves make every position needed (Kirsch and Mitzenmacher): one hash per key.
        low, high = value & 0xFFFFFFFF, (value >> 32) | 1
        return [low + i * high for i in range(_SEEN_HASHES)]

    def _has(self, hashes: list[int]) -> bool:
        for bits, _ in self._filters:
            size = len(bits) * 8
            for h in hashes:
                h %= size
                if not bits[h >> 3] & (1 << (h & 7)):
                    break
            else:
                return True
        return False

    def __contains__(self, key: str) -> bool:
        return self._has(self._hashes(key))

    def add(self, keys: Iterable[str]) -> None:
        """Remember ``keys``."""
        new = [h for h in map(self._hashes, keys) if not self._has(h)]
        if not new:
            return
        last = self._filters[-1] if self._filters else None
        if last is None or (last[1] + len(new)) * _SEEN_BITS_PER_KEY > len(last[0]) * 8:
            # One new filter for the whole batch, so a long text does not add many small ones.
            size = len(last[0]) * 2 if last is not None else _SEEN_FIRST_BITS // 8
            while size * 8 < len(new) * _SEEN_BITS_PER_KEY:
                size *= 2
            self._filters.append((bytearray(size), 0))
        bits, count = self._filters[-1]
        width = len(bits) * 8
        for hashes in new:
            for h in hashes:
                h %= width
                bits[h >> 3] |= 1 << (h & 7)
        self._filters[-1] = (bits, count + len(new))

    def to_data(self) -> list[list[Any]]:
        """Plain data for the state."""
        return [[base64.b64encode(bytes(bits)).decode("ascii"), count] for bits, count in self._filters]


def _digest(sent: str) -> str:
    return hashlib.blake2b(sent.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def remembered(state: State, sent: str) -> bool:
    """Whether :func:`remember` already read ``sent`` into ``state``."""
    return _digest(sent) in state.remembered


def remember(state: State, sent: str, surrogates: Iterable[tuple[int, int]]) -> None:
    """Record in ``state`` what ``sent`` contains, so that no later surrogate is found in it.

    Args:
        sent: the protected text, as sent.
        surrogates: ``[start, end)`` of the replacements written in ``sent``.
    """
    digest = _digest(sent)
    if digest in state.remembered:
        return
    seen = Seen(state.seen)
    seen.add(text_keys(sent, surrogates))
    state.seen = seen.to_data()
    state.remembered.append(digest)


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
        self._squeezed = squeeze_separators(self._residual)
        self._seen = Seen(state.seen)
        self.gender: fakes.Gender | None = None  # the civility's, for the span being replaced
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
        # Fast path: a needle can only match where every word of the candidate occurs, or, for
        # a number, where its digits follow each other once separators are left out.
        run = number_run(candidate, label)
        if run is not None:
            maybe_there = run in self._squeezed
        else:
            pieces = needle_pieces(candidate, label)
            maybe_there = pieces is None or all(p in self._residual for p in pieces)
        if maybe_there and re.search(needle(candidate, label)[0], self._residual):
            return False
        if candidate in self._residual_raw and re.search(
            bounded(re.escape(candidate), candidate), self._residual_raw
        ):
            return False
        # Nor in a text protected earlier: the AI may quote it in a later answer. A value
        # without a key (a "number" of letters only) cannot be looked up: refused once there
        # are earlier texts.
        seen_key = needle_key(candidate, label)
        return seen_key not in self._seen if seen_key is not None else not self._seen

    def part(
        self, label: str, word: str, gender: fakes.Gender | None = None, *, sure: bool = False
    ) -> str | None:
        """The consistent replacement of one word of a name, in the word's case style.

        Args:
            gender: the sex of a first name, for a surrogate of the same sex.
            sure: the sex comes from a civility, not only from the name's usual sex: a
                replacement of the other sex already drawn for this word is not reused.
        """
        plain = label + _SEP + fold_same_length(word)
        # A replacement drawn without a sex is one given to both sexes when any was free, so it
        # fits any civility (and one kept from an older conversation stays, for consistency).
        keys = [plain + _SEP + gender, plain] if gender is not None else [plain]
        if gender is None or not sure:
            keys += [plain + _SEP + g for g in ("f", "m") if g != gender]
        base = next((self.state.parts[k] for k in keys if k in self.state.parts), None)
        if base is None:
            for attempt in range(30):
                if len(word) == 1:
                    cand = fakes.initial(self.rng, word)
                elif label == "PRENOM":
                    # Sex unknown: a name given to both, then any name if none of them is free.
                    cand = fakes.first_name(self.rng, word, gender or ("epicene" if attempt < 15 else None))
                else:
                    cand = fakes.last_name(self.rng, word)
                if norm(cand) not in self._taken and self._free(cand, label, whole=False):
                    base = cand
                    break
            if base is None:
                return None
            self.state.parts[keys[0]] = base
            self._take(base)
        rendered = fakes.case_like(base, word) if len(word) > 1 else _initial_case(base, word)
        if len(word) > 1 and self._mapped_to(rendered) in (None, word):
            self.pending.append((rendered, word, label, True))
        return rendered

    def replacement(self, original: str, label: str, gender: fakes.Gender | None = None) -> str:
        """The replacement for one span, recording the new mappings in ``pending``.

        Args:
            gender: the sex a civility gives to the person (first names get one of that sex).
        """
        self.gender = gender if label == "PRENOM" else None
        # Keyed by sex too: "Mme Camille" and "M. Camille" are two people.
        suffix = _SEP + self.gender if self.gender is not None else ""
        exact_key = label + _SEP + "=" + original + suffix
        known = self.state.keys.get(exact_key)
        if known is not None and self._mapped_to(known) in (None, original):
            return self._record(known, original, label)
        key = label + _SEP + norm(original) + suffix
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


def _to_list(state: tuple[Any, ...]) -> list[Any]:
    # ``random.getstate()`` is ``(version, (625 ints), gauss_next)``: sealed as lists.
    version, internal, gauss = state
    return [version, list(internal), gauss]


def _to_tuple(state: list[Any]) -> tuple[Any, ...]:
    version, internal, gauss = state
    return (version, tuple(internal), gauss)
