"""Test double for verification: flags the paracetamol dose of the shared clinical text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clinical import DOSE_PHRASE


@dataclass(frozen=True)
class FakeFinding:
    start: int
    end: int
    type: str
    severity: str
    message: str
    suggestion: str = ""


def fake_verifier(answer: str, source: str | None) -> Sequence[object]:
    """One DOSE_OVER_MAX finding on the paracetamol line, when present."""
    at = answer.find(DOSE_PHRASE)
    if at < 0:
        return []
    return [
        FakeFinding(
            at,
            at + len(DOSE_PHRASE),
            "DOSE_OVER_MAX",
            "error",
            "6 g par jour dépasse la dose maximale usuelle de l'adulte (4 g par jour).",
            "paracétamol 1 g 4 fois par jour au maximum",
        )
    ]
