"""Turning the raw, overlapping spans of all detectors into one non-overlapping set."""

from __future__ import annotations

from collections.abc import Iterable

from avec.text import Span


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink ``[start, end)`` to its first and last letter or digit; None when it has none."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return (start, end) if end > start else None


def resolve(text: str, spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans into a sorted, non-overlapping list.

    Spans are taken by decreasing score, then length. A span that overlaps one already kept is
    not dropped: its uncovered remainders that still contain a letter or a digit are kept with
    its label, because a half-detected identifier is still an identifier (leaking the other
    half is worse than a slightly wrong label).
    """
    ordered = sorted(spans, key=lambda s: (-s.score, -s.length, s.start))
    kept: list[Span] = []
    for span in ordered:
        pieces = [(span.start, span.end)]
        for other in kept:
            next_pieces = []
            for a, b in pieces:
                if other.end <= a or b <= other.start:
                    next_pieces.append((a, b))
                    continue
                if a < other.start:
                    next_pieces.append((a, other.start))
                if other.end < b:
                    next_pieces.append((other.end, b))
            pieces = next_pieces
            if not pieces:
                break
        for a, b in pieces:
            trimmed = _trim(text, a, b) if (a, b) != (span.start, span.end) else (a, b)
            if trimmed:
                kept.append(Span(trimmed[0], trimmed[1], span.label, span.score, span.source))
    return sorted(kept, key=lambda s: s.start)
