"""Plain-language check of a patient version: jargon, abbreviations, long sentences.

Each issue points at characters of the text and proposes what to write instead. Messages
never quote the text: a jargon issue names the glossary's term, which is not the patient's
data, so issues can be logged or counted safely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from avec.communicate.glossary import Glossary, load_glossary
from avec.communicate.readability import ReadabilityReport, readability, split_sentences

#: Above this many words a sentence gets a warning (plain-language guides advise 15 to 20).
MAX_SENTENCE_WORDS = 20

# Abbreviations every reader knows, or that are not medical.
_KNOWN_ABBREVIATIONS = frozenset({"OK", "TV", "SMS", "PDF", "WC", "CB", "RER", "SNCF", "UE", "AVEC", "HAS"})
_ABBREVIATION = re.compile(
    r"(?<![\w\[-])(?=[A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z])[A-Z][A-Za-z0-9]{1,7}(?![\w\]-])"
)
_ROMAN = re.compile(r"[IVXLC]+")
_TAG = re.compile(r"\[[A-Z_]+_\d+\]")  # pseudonym tags such as [NOM_1]


class IssueKind(StrEnum):
    """What a plain-language issue is about."""

    JARGON = "jargon"
    ABBREVIATION = "sigle"
    LONG_SENTENCE = "phrase_longue"


@dataclass(frozen=True, slots=True)
class PlainLanguageIssue:
    """Something a patient may not understand, at ``text[start:end]``.

    Attributes:
        start: first character offset.
        end: offset just past the last character.
        kind: jargon, abbreviation or long sentence.
        message: what the problem is, in French (never a quote of the text).
        suggestion: what to write instead, in French.
        source: source of the proposed wording (glossary entries), empty otherwise.
    """

    start: int
    end: int
    kind: IssueKind
    message: str
    suggestion: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class PlainLanguageReport:
    """Readability indices and issues of a text, issues in text order."""

    readability: ReadabilityReport
    issues: tuple[PlainLanguageIssue, ...]

    def count(self, kind: IssueKind) -> int:
        """Number of issues of ``kind``."""
        return sum(1 for i in self.issues if i.kind is kind)


def check_plain_language(
    text: str, *, glossary: Glossary | None = None, max_sentence_words: int = MAX_SENTENCE_WORDS
) -> PlainLanguageReport:
    """Check a text meant for a patient.

    Args:
        text: the patient version (after reveal and the professional's validation).
        glossary: jargon list; the shipped one by default.
        max_sentence_words: sentences longer than this get a warning.

    Returns:
        The French readability indices and every issue found, with a proposal.
    """
    gloss = glossary if glossary is not None else load_glossary()
    issues: list[PlainLanguageIssue] = []
    explained = _explained_abbreviations(text)
    covered: list[tuple[int, int]] = []
    for match in gloss.find(text):
        entry = match.entry
        covered.append((match.start, match.end))
        if entry.kind == "sigle":
            if entry.term in explained:
                continue
            issues.append(
                PlainLanguageIssue(
                    match.start,
                    match.end,
                    IssueKind.ABBREVIATION,
                    f"Sigle « {entry.term} » : un patient ne le connaît pas toujours.",
                    f"Écrire en toutes lettres : « {entry.plain} ».",
                    entry.source,
                )
            )
        else:
            issues.append(
                PlainLanguageIssue(
                    match.start,
                    match.end,
                    IssueKind.JARGON,
                    f"Terme médical « {entry.term} » : mot difficile pour un patient.",
                    f"Mot courant proposé : « {entry.plain} ».",
                    entry.source,
                )
            )
    issues += _unknown_abbreviations(text, covered, explained)
    for sentence in split_sentences(text):
        if sentence.words > max_sentence_words:
            issues.append(
                PlainLanguageIssue(
                    sentence.start,
                    sentence.end,
                    IssueKind.LONG_SENTENCE,
                    f"Phrase longue ({sentence.words} mots, {max_sentence_words} au plus conseillés).",
                    "Couper en deux phrases ou plus : une idée par phrase.",
                )
            )
    issues.sort(key=lambda i: (i.start, i.end))
    return PlainLanguageReport(readability(text), tuple(issues))


def _explained_abbreviations(text: str) -> set[str]:
    """Abbreviations written in parentheses right after their expansion: "(AVC)"."""
    return {m.group(1) for m in re.finditer(r"\w[\w'’ -]{3,}\s*\(\s*([A-Z][A-Za-z0-9]{1,7})\s*\)", text)}


def _unknown_abbreviations(
    text: str, covered: list[tuple[int, int]], explained: set[str]
) -> list[PlainLanguageIssue]:
    tags = [(m.start(), m.end()) for m in _TAG.finditer(text)]
    out: list[PlainLanguageIssue] = []
    for m in _ABBREVIATION.finditer(text):
        token = m.group()
        if token in _KNOWN_ABBREVIATIONS or token in explained or _ROMAN.fullmatch(token):
            continue
        if any(s <= m.start() < e for s, e in covered + tags) or _in_capital_heading(text, m.start()):
            continue
        out.append(
            PlainLanguageIssue(
                m.start(),
                m.end(),
                IssueKind.ABBREVIATION,
                "Sigle sans explication : un patient risque de ne pas le comprendre.",
                "Écrire le sigle en toutes lettres, au moins la première fois.",
            )
        )
    return out


def _in_capital_heading(text: str, pos: int) -> bool:
    """Whether ``pos`` lies in a line written all in capitals (a title, not an abbreviation)."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 8 and not any(c.islower() for c in letters)
