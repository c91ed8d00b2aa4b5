"""French readability indices of a text meant for patients.

Only indices whose formula was built or validated for French are computed:

* **Flesch reading ease, Kandel & Moles (1958) adaptation** — textstat with the ``fr``
  language (``207 - 1.015 × words/sentence - 73.6 × syllables/word``), syllables counted
  with pyphen's French hyphenation dictionary (shipped in the PyPI package);
* **LIX** (Björnsson) and **RIX** (Anderson) — built on word and sentence lengths only, so
  they do not depend on the language (textstat's formulas, computed here on AVEC's own
  sentence split, which also ends a sentence at a list item);
* mean sentence length and the share of long words (more than six letters, the LIX
  definition).

Flesch-Kincaid grade, Gunning Fog, SMOG, Coleman-Liau, ARI, Dale-Chall, Spache and Linsear
Write are calibrated on American school grades or English word lists: they are *not*
computed (see :data:`ENGLISH_ONLY_INDICES`). Never use textstat's module-level functions
here: their default language is English and the English syllable counter tries to
download a dictionary at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textstat.textstat import textstatistics

#: Indices computed by :func:`readability`, with what each one tells (French).
FRENCH_INDICES: dict[str, str] = {
    "flesch_fr": "Facilité de lecture de Flesch adaptée au français par Kandel et Moles (0 à 100 ; "
    "plus c'est haut, plus c'est facile ; viser 60 ou plus pour un patient).",
    "lix": "Indice LIX (Björnsson) : longueur des phrases et part des mots longs ; valable en "
    "français (moins de 40 : facile, plus de 50 : difficile).",
    "rix": "Indice RIX (Anderson) : mots longs par phrase ; valable en français.",
    "words_per_sentence": "Nombre moyen de mots par phrase (viser 15 ou moins).",
    "long_word_share": "Part des mots de plus de six lettres.",
}

#: textstat indices that are English-only and therefore never shown for French texts.
ENGLISH_ONLY_INDICES: tuple[str, ...] = (
    "flesch_kincaid_grade",
    "gunning_fog",
    "smog_index",
    "coleman_liau_index",
    "automated_readability_index",
    "dale_chall_readability_score",
    "spache_readability",
    "linsear_write_formula",
)

#: Letters a word must exceed to count as long (LIX definition).
LONG_WORD_LETTERS = 6

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# Abbreviations whose final dot does not end a sentence.
_NO_BREAK = frozenset({"dr", "pr", "m", "mme", "mlle", "cf", "etc", "ex", "env", "p", "n", "vol", "st"})
# A line break ends a sentence before a blank line, a list item or a capital (titles and
# lists often have no final dot); a hard-wrapped line that goes on in lower case does not.
_BOUNDARY = re.compile(r"[.!?…]+[\"»”)]*(?=\s|$)|\n\s*\n|\n(?=[ \t]*(?:[-•*–]\s|[A-ZÀ-Ý]))")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a text, ``text[start:end]``, with its word count."""

    start: int
    end: int
    words: int


@dataclass(frozen=True, slots=True)
class ReadabilityReport:
    """French readability of a text; indices are None when the text has no word.

    Attributes:
        flesch_fr: Flesch reading ease, Kandel & Moles formula (higher is easier).
        lix: LIX index (lower is easier).
        rix: RIX index (lower is easier).
        sentences: number of sentences.
        words: number of words.
        words_per_sentence: mean sentence length in words.
        long_word_share: share (0 to 1) of words of more than six letters.
        level: plain French label derived from ``flesch_fr``.
    """

    flesch_fr: float | None
    lix: float | None
    rix: float | None
    sentences: int
    words: int
    words_per_sentence: float
    long_word_share: float
    level: str


def words(text: str) -> list[re.Match[str]]:
    """Word tokens of ``text`` (letters, with inner hyphens and apostrophes)."""
    return list(_WORD.finditer(text))


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with offsets; blank lines and list items also end a sentence."""
    out: list[Sentence] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group().startswith(".") and len(match.group()) == 1:
            before = re.search(r"(\w+)$", text[start : match.start()])
            # "Dr." or "M." is not the end of a sentence; a single capital initial neither.
            if before and (before.group(1).lower() in _NO_BREAK or len(before.group(1)) == 1):
                continue
        _add_sentence(text, start, end, out)
        start = end
    _add_sentence(text, start, len(text), out)
    return out


def _add_sentence(text: str, start: int, end: int, out: list[Sentence]) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    n = len(words(stripped))
    if n:
        out.append(Sentence(start + lead, start + lead + len(stripped), n))


def level_fr(flesch: float | None) -> str:
    """Plain French label of a Kandel & Moles score."""
    if flesch is None:
        return "texte vide"
    for bound, label in ((80, "très facile"), (70, "facile"), (60, "assez facile"), (50, "standard")):
        if flesch >= bound:
            return label
    return "difficile" if flesch >= 30 else "très difficile"


def readability(text: str) -> ReadabilityReport:
    """French readability indices of ``text``.

    Args:
        text: the text as the patient will read it.

    Returns:
        The indices valid for French (see :data:`FRENCH_INDICES`), rounded to one decimal.
    """
    tokens = words(text)
    sentences = split_sentences(text)
    if not tokens:
        return ReadabilityReport(None, None, None, 0, 0, 0.0, 0.0, level_fr(None))
    n_sent = max(1, len(sentences))
    long_words = sum(1 for m in tokens if sum(c.isalpha() for c in m.group()) > LONG_WORD_LETTERS)
    # textstat splits sentences its own way; feed it one line per sentence we found so
    # that both agree (bullet lists without final dots would otherwise be one sentence).
    normalised = "\n".join(text[s.start : s.end].rstrip(".!?… ") + "." for s in sentences) or text
    stats = textstatistics()
    stats.set_lang("fr")
    stats.set_rounding_points(None)
    flesch = float(stats.flesch_reading_ease(normalised))
    wps = len(tokens) / n_sent
    lix = wps + 100.0 * long_words / len(tokens)
    rix = long_words / n_sent
    return ReadabilityReport(
        flesch_fr=round(flesch, 1),
        lix=round(lix, 1),
        rix=round(rix, 1),
        sentences=len(sentences),
        words=len(tokens),
        words_per_sentence=round(wps, 1),
        long_word_share=round(long_words / len(tokens), 3),
        level=level_fr(flesch),
    )
