"""Core text shapes shared by protection and verification: spans, findings, normalisation."""

from __future__ import annotations

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


def fold(value: str) -> str:
    """Case- and accent-insensitive key for lexicon look-ups (same length as ``value``)."""
    return value.translate(_LOWER_SAFE).translate(_ACCENTS).lower()
