"""A detection step of known spans, so protection is tested independently of the detectors."""

from __future__ import annotations

import re

from avec.text import Span


class FakePipeline:
    """Labels every match of the given (label, regex) rules."""

    def __init__(self, rules: list[tuple[str, str]]) -> None:
        self.rules = [(label, re.compile(p)) for label, p in rules]

    def detect(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for label, pat in self.rules:
            for m in pat.finditer(text):
                if m.end() > m.start() and not any(s.start < m.end() and m.start() < s.end for s in spans):
                    spans.append(Span(m.start(), m.end(), label))
        return sorted(spans, key=lambda s: s.start)


LETTER_RULES = [
    ("PRENOM", r"\b(?:Jean-Pierre|Marie|Paul)\b"),
    ("NOM", r"\b(?:DUPONT|Dupont|dupont|Le Goff|Durand)\b"),
    ("DATE", r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2} mars 2024\b"),
    ("TEL", r"\b06 12 34 56 78\b"),
    ("HOPITAL", r"CHU de Nantes"),
    ("MAIL", r"\b[\w.]+@[\w.]+\.fr\b"),
]
