"""Turning the raw, overlapping spans of all detectors into one non-overlapping set."""

from __future__ import annotations

from bisect import bisect_left
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
    starts: list[int] = []  # kept spans never overlap, so sorting by start sorts by end too
    kept: list[Span] = []
    for span in ordered:
        pieces = _uncovered(span, starts, kept)
        for a, b in pieces:
            trimmed = _trim(text, a, b) if (a, b) != (span.start, span.end) else (a, b)
            if trimmed:
                piece = Span(trimmed[0], trimmed[1], span.label, span.score, span.source)
                at = bisect_left(starts, piece.start)
                starts.insert(at, piece.start)
                kept.insert(at, piece)
    return kept


def _uncovered(span: Span, starts: list[int], kept: list[Span]) -> list[tuple[int, int]]:
    """Parts of ``span`` that no kept span covers."""
    pieces: list[tuple[int, int]] = []
    cursor = span.start
    i = max(bisect_left(starts, span.start) - 1, 0)
    while i < len(kept) and kept[i].start < span.end:
        other = kept[i]
        if other.end > cursor:
            if other.start > cursor:
                pieces.append((cursor, other.start))
            cursor = max(cursor, other.end)
        i += 1
    if cursor < span.end:
        pieces.append((cursor, span.end))
    return pieces
