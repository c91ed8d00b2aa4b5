"""A detection step of known spans, so protection is tested independently of the detectors."""

from __future__ import annotations

from rulespipe import RulesPipeline

FakePipeline = RulesPipeline


LETTER_RULES = [
    ("PRENOM", r"\b(?:Jean-Pierre|Marie|Paul)\b"),
    ("NOM", r"\b(?:DUPONT|Dupont|dupont|Le Goff|Durand)\b"),
    ("DATE", r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2} mars 2024\b"),
    ("TEL", r"\b06 12 34 56 78\b"),
    ("HOPITAL", r"CHU de Nantes"),
    ("MAIL", r"\b[\w.]+@[\w.]+\.fr\b"),
]
