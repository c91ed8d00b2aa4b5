"""A detection step made of regular expressions, so protection, the gateway and fault tests run on
known spans, independently of the real detectors."""

from __future__ import annotations

import re

from avec.text import Span


class RulesPipeline:
    """Labels every non-empty match of the given (label, regex) rules; earlier rules win overlaps."""

    def __init__(self, rules: list[tuple[str, str]]) -> None:
        self.rules = [(label, re.compile(p)) for label, p in rules]

    def detect(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for label, pat in self.rules:
            for m in pat.finditer(text):
                if m.end() > m.start() and not any(s.start < m.end() and m.start() < s.end for s in spans):
                    spans.append(Span(m.start(), m.end(), label))
        return sorted(spans, key=lambda s: s.start)
