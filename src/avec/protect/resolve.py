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
    # Which characters a kept span covers. Kept spans never overlap, so the uncovered parts of
    # a span are the runs of free characters in its range: found in time proportional to its
    # length, where keeping a sorted list with insertions grew quadratic on long texts.
    size = max([len(text), *(s.end for s in ordered)])
    covered = bytearray(size)
    kept: list[Span] = []
    for span in ordered:
        if covered.find(1, span.start, span.end) < 0:  # nothing kept there yet: the span as is
            covered[span.start : span.end] = b"\x01" * span.length
            kept.append(span)
            continue
        for a, b in _uncovered(span, covered):
            trimmed = _trim(text, a, b) if (a, b) != (span.start, span.end) else (a, b)
            if trimmed:
                piece = Span(trimmed[0], trimmed[1], span.label, span.score, span.source)
                covered[piece.start : piece.end] = b"\x01" * piece.length
                kept.append(piece)
    kept.sort(key=lambda s: s.start)
    return kept


def _uncovered(span: Span, covered: bytearray) -> list[tuple[int, int]]:
    """Parts of ``span`` that no kept span covers (runs of zeros in ``covered``)."""
    pieces: list[tuple[int, int]] = []
    cursor = covered.find(0, span.start, span.end)
    while cursor >= 0:
        stop = covered.find(1, cursor, span.end)
        if stop < 0:
            stop = span.end
        pieces.append((cursor, stop))
        cursor = covered.find(0, stop, span.end)
    return pieces
