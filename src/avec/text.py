"""Core text shapes shared by protection and verification: spans, findings, normalisation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Label(StrEnum):
    """Identifier categories, as in the evaluation corpus (see README)."""

    NOM = "NOM"
    PRENOM = "PRENOM"
    DATE_NAISSANCE = "DATE_NAISSANCE"
    DATE = "DATE"
    ADRESSE = "ADRESSE"
    ZIP = "ZIP"
    VILLE = "VILLE"
    TEL = "TEL"
    MAIL = "MAIL"
    SECU = "SECU"
    IPP = "IPP"
    NDA = "NDA"
    HOPITAL = "HOPITAL"
    RPPS = "RPPS"
    IBAN = "IBAN"
    URL = "URL"


#: French wording of each label, for reports and the interface.
LABEL_FR: dict[str, str] = {
    "NOM": "nom de famille",
    "PRENOM": "prénom",
    "DATE_NAISSANCE": "date de naissance",
    "DATE": "date",
    "ADRESSE": "adresse",
    "ZIP": "code postal",
    "VILLE": "ville",
    "TEL": "téléphone",
    "MAIL": "adresse électronique",
    "SECU": "numéro de sécurité sociale (NIR)",
    "IPP": "identifiant patient (IPP)",
    "NDA": "numéro de dossier/séjour (NDA)",
    "HOPITAL": "établissement de santé",
    "RPPS": "numéro RPPS",
    "IBAN": "IBAN",
    "URL": "adresse web",
}


#: French month names, January first, spelled with their accents.
FRENCH_MONTHS: tuple[str, ...] = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled range ``[start, end)`` of a text, in Python ``str`` offsets.

    Attributes:
        start: first character offset.
        end: offset just past the last character; always greater than ``start``.
        label: a :class:`Label` value (or another category name for custom detectors).
        score: confidence in ``[0, 1]``; higher wins when spans conflict.
        source: name of the detector that produced the span.
    """

    start: int
    end: int
    label: str
    score: float = 1.0
    source: str = ""

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"span invalide : [{self.start}, {self.end})")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score hors de [0, 1] : {self.score}")

    @property
    def length(self) -> int:
        """Number of characters covered."""
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        """Whether the two spans share at least one character."""
        return self.start < other.end and other.start < self.end

    def text_in(self, text: str) -> str:
        """The covered substring of ``text``."""
        return text[self.start : self.end]


def _accent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if len(base) == 1 and base != ch:
            table[code] = base
    return table


_ACCENTS = _accent_table()
# Lower-casing these would change the length of the text; offsets must stay valid.
_LOWER_SAFE = {0x130: "i"}


def strip_accents(value: str) -> str:
    """Remove diacritics while keeping one character per character (``é`` → ``e``, ``œ`` kept).

    Only Latin letters whose decomposition is one base letter plus combining marks are
    changed, so offsets into the original text stay valid.
    """
    return value.translate(_ACCENTS)


# Both tables in one: "İ" becomes "i" first, then nothing else touches it.
_FOLD_TABLE = {**_ACCENTS, **_LOWER_SAFE}
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def fold(value: str) -> str:
    """Case- and accent-insensitive key for lexicon look-ups (same length as ``value``).

    The tables only hold non-ASCII letters, and ``str.translate`` looks every character up:
    translating the (short, rare) non-ASCII runs alone gives the same string, about ten times
    faster on a whole document (every request folds its whole text).
    """
    if not value.isascii():
        value = _NON_ASCII_RUN.sub(lambda m: m.group().translate(_FOLD_TABLE), value)
    return value.lower()


# Characters that change nothing a reader sees but would split an identifier for a detector.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_NEEDS_VIEW = re.compile(
    r"[\u200b-\u200d\u2060\ufeff\u00ad\u180e\u0300-\u036f\uff01-\uff5e\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)


@dataclass(frozen=True)
class TextView:
    """A normalised copy of a text for detection, with the way back to the original offsets.

    Invisible characters (zero-width space, soft hyphen) are dropped, decomposed accents are
    composed, full-width letters and digits become ASCII and control characters become spaces,
    so that "Zoe\\u0301 DU\\u200bPONT" is read as "Zoé DUPONT". ``starts[i]`` and ``ends[i]`` give
    the original range of normalised character ``i``.
    """

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original range covering normalised characters ``[start, end)``."""
        return self.starts[start], self.ends[end - 1]


def detection_view(text: str) -> TextView | None:
    """A :class:`TextView` of ``text``, or None when the text needs no normalisation."""
    if not _NEEDS_VIEW.search(text):
        return None
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            if ends:
                ends[-1] = i + 1
            continue
        if unicodedata.combining(ch) and chars:
            composed = unicodedata.normalize("NFC", chars[-1] + ch)
            if len(composed) == 1:
                chars[-1] = composed
            ends[-1] = i + 1
            continue
        if "\uff01" <= ch <= "\uff5e":
            ch = unicodedata.normalize("NFKC", ch)
        elif unicodedata.category(ch) == "Cc" and ch not in "\n\t\r":
            ch = " "
        chars.append(ch)
        starts.append(i)
        ends.append(i + 1)
    return TextView("".join(chars), tuple(starts), tuple(ends))
