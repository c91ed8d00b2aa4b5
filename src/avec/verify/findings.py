"""The shape every verification check returns: a :class:`Finding` pointing at characters of an answer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class FindingType(StrEnum):
    """What kind of problem a finding reports (names as in the evaluation format)."""

    UNKNOWN_DRUG = "UNKNOWN_DRUG"
    MISSPELLED_DRUG = "MISSPELLED_DRUG"
    UNIT_ERROR = "UNIT_ERROR"
    DOSE_OVER_MAX = "DOSE_OVER_MAX"
    UNGROUNDED_NUMBER = "UNGROUNDED_NUMBER"
    UNGROUNDED_DRUG = "UNGROUNDED_DRUG"
    CITATION_MALFORMED = "CITATION_MALFORMED"
    CITATION_INCOMPLETE = "CITATION_INCOMPLETE"
    CITATION_OUTDATED = "CITATION_OUTDATED"


class Severity(StrEnum):
    """How urgently the professional should look: ``error`` may harm, ``warning`` needs checking."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: French wording of each type, for reports.
TYPE_FR: dict[FindingType, str] = {
    FindingType.UNKNOWN_DRUG: "médicament inconnu",
    FindingType.MISSPELLED_DRUG: "médicament mal orthographié",
    FindingType.UNIT_ERROR: "unité impossible",
    FindingType.DOSE_OVER_MAX: "dose au-dessus du maximum usuel",
    FindingType.UNGROUNDED_NUMBER: "valeur absente de la source",
    FindingType.UNGROUNDED_DRUG: "médicament absent de la source",
    FindingType.CITATION_MALFORMED: "identifiant de référence invalide",
    FindingType.CITATION_INCOMPLETE: "référence incomplète",
    FindingType.CITATION_OUTDATED: "recommandation ancienne",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found in an answer, at ``answer[start:end]``.

    Attributes:
        start: first character offset (Python ``str`` offsets).
        end: offset just past the last character; always greater than ``start``.
        type: a :class:`FindingType` (a plain string of the same value is accepted).
        severity: a :class:`Severity` (a plain string of the same value is accepted).
        message: what is wrong and why, in French, for the professional.
        suggestion: a proposed correction or what to check, in French; empty when none.
    """

    start: int
    end: int
    type: FindingType
    severity: Severity
    message: str
    suggestion: str = ""

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"constat invalide : [{self.start}, {self.end})")
        try:
            object.__setattr__(self, "type", FindingType(self.type))
            object.__setattr__(self, "severity", Severity(self.severity))
        except ValueError as exc:
            raise ValueError(f"type ou gravité de constat inconnu : {exc}") from None
        if not self.message.strip():
            raise ValueError("un constat doit avoir un message")

    def fits(self, text: str) -> bool:
        """Whether the finding's offsets lie inside ``text``."""
        return self.end <= len(text)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (types and severities as strings)."""
        return {
            "start": self.start,
            "end": self.end,
            "type": str(self.type),
            "severity": str(self.severity),
            "message": self.message,
            "suggestion": self.suggestion,
        }
