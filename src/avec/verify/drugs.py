"""Drug names in an answer: known ones, and drug-like words no lexicon knows (invented or misspelled).

A word is *drug-like* when it stands where a drug is expected (just before a dose such as ``X 20 mg``,
``X : 1 g``) or carries a suffix that only drug names have (``-pril``, ``-sartan``, ``-mab``...). Such
a word is reported when neither the drug lexicon nor the French dictionary knows it: as
``MISSPELLED_DRUG`` when it is one slip away from a real drug (suggested), else as ``UNKNOWN_DRUG``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from avec.text import fold
from avec.verify.findings import Finding, FindingType, Severity
from avec.verify.lexicon import DrugEntry, DrugLexicon, get_lexicon

_LETTERS = "A-Za-zÀ-ÖØ-öø-ÿ"
_WORD = re.compile(rf"(?<![{_LETTERS}\d-])[{_LETTERS}][{_LETTERS}-]{{3,}}(?![{_LETTERS}\d])")
# A dose right after the word: optional colon/comma, a number, a unit given to a patient (not a lab
# concentration such as "mg/L").
_DOSE_AFTER = re.compile(
    r"\s*[:,]?\s*(?:\(\s*)?\d+(?:[\s\u00a0\u202f]\d{3})*(?:[.,]\d+)?\s*"
    r"(?:mg|g|µg|μg|mcg|microgrammes?|milligrammes?|grammes?|UI|U\.I\.|unités?|mL|ml|cp|comprimés?|"
    r"gélules?|sachets?|gouttes?|bouffées?|ampoules?|doses?)(?![\w/]|\s*/\s*(?:d?L|l)\b)",
    re.IGNORECASE,
)
# Suffixes (stems of the WHO INN system and French endings) that ordinary French words do not have.
_DRUG_SUFFIX = re.compile(
    r"(?:pril|sartan|mab|azole|cilline|olol|statine|prazole|floxacine|mycine|cycline|parine|gliptine|"
    r"gliflozine|zépam|azépam|tidine|triptan|sétron|dronate|lukast|profène|oxétine|coxib|vir|tinib|"
    r"zolam|afil|glutide|xaban|gatran)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DrugMention:
    """A drug name, or a drug-like word, at ``[start, end)`` of a text.

    Attributes:
        entry: the lexicon entry when the name is known, else ``None``.
        suggestion: for an unknown word, the real drug it is one slip away from, if any.
    """

    start: int
    end: int
    text: str
    entry: DrugEntry | None
    suggestion: DrugEntry | None = None

    @property
    def known(self) -> bool:
        """Whether the name is a real drug."""
        return self.entry is not None


def _misspelling_of(word: str, lexicon: DrugLexicon) -> DrugEntry | None:
    """The drug ``word`` is one typing slip away from: one edit, or two added/dropped letters."""
    key = fold(word)
    keys = lexicon.fuzzy_keys
    hit = process.extractOne(key, keys, scorer=OSA.distance, score_cutoff=1)
    if hit is None and len(key) >= 7:
        hit = process.extractOne(key, keys, scorer=Indel.distance, score_cutoff=2)
    if hit is None or hit[1] == 0:
        return None
    return lexicon.entries[hit[0]]


def _drug_like(text: str, match: re.Match[str]) -> bool:
    word = match.group(0)
    if _DOSE_AFTER.match(text, match.end()):
        return True
    return bool(_DRUG_SUFFIX.search(word))


def find_mentions(text: str, lexicon: DrugLexicon | None = None) -> list[DrugMention]:
    """Known drug names and drug-like unknown words in ``text``, in order."""
    lex = lexicon or get_lexicon()
    mentions = [DrugMention(m.start, m.end, text[m.start : m.end], m.entry) for m in lex.find(text)]
    # Known names do not overlap and come in order: a word overlaps one iff it overlaps the last
    # name starting before the word's end.
    starts = [m.start for m in mentions]
    known = list(mentions)
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = match.group(0)
        before = bisect_left(starts, end) - 1
        if before >= 0 and known[before].end > start:
            continue
        if word.isupper() and len(word) <= 5:  # abbreviations: CRP, HbA1c, TSH
            continue
        # The position test first: most words are not followed by a dose nor drug-shaped.
        if not _drug_like(text, match) or lex.is_known_token(word) or lex.is_common_word(word):
            continue
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1 and (
            any(lex.is_known_token(p) for p in parts) or all(lex.is_common_word(p) for p in parts)
        ):
            continue
        mentions.append(DrugMention(start, end, word, None, _misspelling_of(word, lex)))
    return sorted(mentions, key=lambda m: m.start)


def check_drugs(
    answer: str, source: str | None = None, *, mentions: list[DrugMention] | None = None
) -> list[Finding]:
    """``UNKNOWN_DRUG`` and ``MISSPELLED_DRUG`` findings for the drug-like words of ``answer``."""
    del source  # names are judged against the lexicon, not the source
    found = mentions if mentions is not None else find_mentions(answer)
    findings: list[Finding] = []
    for m in found:
        if m.known:
            continue
        if m.suggestion is not None:
            findings.append(
                Finding(
                    m.start,
                    m.end,
                    FindingType.MISSPELLED_DRUG,
                    Severity.WARNING,
                    f"« {m.text} » n'existe pas tel quel : probablement « {m.suggestion.display} » mal "
                    "orthographié. Un nom erroné peut conduire à délivrer un autre médicament.",
                    f"Vérifier et corriger en « {m.suggestion.display} ».",
                )
            )
        else:
            findings.append(
                Finding(
                    m.start,
                    m.end,
                    FindingType.UNKNOWN_DRUG,
                    Severity.ERROR,
                    f"« {m.text} » est employé comme un médicament mais ne figure dans aucune base connue "
                    "(DCI ou nom commercial) : il a pu être inventé par l'IA.",
                    "Vérifier le nom dans la base de données publique des médicaments ; le remplacer ou "
                    "le supprimer.",
                )
            )
    return findings
