"""Small server-side SVG charts, each with the table of its data (no JavaScript).

A :class:`Chart` carries an accessible SVG (``role="img"``, a title and a description read by
screen readers) and the rows of the table that the page shows next to it, so that every figure
can be read without the drawing. The pages' Content-Security-Policy forbids inline styles:
colours are SVG presentation attributes, sizes come from the ``viewBox``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

#: Bar and line colour (#0b3d91 on white: contrast 10.9:1), text colour, grid colour.
INK, TEXT, GRID, MISSING = "#0b3d91", "#1b1b1b", "#9aa3ad", "#4a4a4a"

WIDTH = 640
_BAR_HEIGHT, _BAR_GAP, _LABEL_WIDTH, _VALUE_WIDTH = 22, 8, 230, 90

Formatter = Callable[[float], str]


@dataclass(frozen=True, slots=True)
class Chart:
    """A drawn figure and its data.

    Attributes:
        slug: HTML id prefix (``chart-<slug>``).
        title: French title, also the table's caption.
        headers: the table's two column headers.
        rows: (label, formatted value) pairs, in drawing order.
        svg: the drawing, safe to insert in a template.
    """

    slug: str
    title: str
    headers: tuple[str, str]
    rows: tuple[tuple[str, str], ...]
    svg: Markup

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw."""
        return not self.rows


def number_fr(value: float, decimals: int = 0) -> str:
    """A number French style: decimal comma, narrow no-break space between thousands."""
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def _open(slug: str, title: str, desc: str, height: int) -> str:
    return (
        f'<svg class="chart" id="chart-{slug}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="chart-{slug}-title chart-{slug}-desc">'
        f'<title id="chart-{slug}-title">{escape(title)}</title>'
        f'<desc id="chart-{slug}-desc">{escape(desc)}</desc>'
    )


def _shorten(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    slug: str,
    title: str,
    items: Sequence[tuple[str, float]],
    fmt: Formatter,
    *,
    headers: tuple[str, str] = ("Élément", "Valeur"),
) -> Chart:
    """Horizontal bars, one per ``(label, value)``, value written at the end of each bar."""
    rows = tuple((label, fmt(value)) for label, value in items)
    if not items:
        return Chart(slug, title, headers, rows, Markup(""))
    top = max((v for _, v in items), default=0.0) or 1.0
    span = WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    height = len(items) * (_BAR_HEIGHT + _BAR_GAP) + _BAR_GAP
    desc = "Données dans le tableau qui suit : " + " ; ".join(f"{lab} : {val}" for lab, val in rows)
    parts = [_open(slug, title, desc, height)]
    for n, (label, value) in enumerate(items):
        y = _BAR_GAP + n * (_BAR_HEIGHT + _BAR_GAP)
        length = max(0.0, value) / top * span
        mid = y + _BAR_HEIGHT / 2 + 5
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{mid:.0f}" text-anchor="end" fill="{TEXT}" '
            f'font-size="14">{escape(_shorten(label))}</text>'
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{_BAR_HEIGHT}" fill="{INK}"/>'
            f'<text x="{_LABEL_WIDTH + length + 6:.1f}" y="{mid:.0f}" fill="{TEXT}" '
            f'font-size="14">{escape(rows[n][1])}</text>'
        )
    parts.append("</svg>")
    return Chart(slug, title, headers, rows, Markup("".join(parts)))


def line_chart(
    slug: str,
    title: str,
    points: Sequence[tuple[str, float | None]],
    fmt: Formatter,
    *,
    y_max: float,
    headers: tuple[str, str] = ("Semaine", "Valeur"),
) -> Chart:
    """A line over time; a missing value (None) breaks the line and is written "—" in the table.

    Args:
        points: (x label, value) in time order.
        fmt: formats a value for the axis and the table.
        y_max: top of the vertical axis (the axis starts at 0).
    """
    rows = tuple((label, "—" if v is None else fmt(v)) for label, v in points)
    if not any(v is not None for _, v in points):
        return Chart(slug, title, headers, rows, Markup(""))
    height, left, right, top, bottom = 240, 60, 20, 16, 40
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = y_max or 1.0
    step = plot_w / max(1, len(points) - 1)
    known = [(label, v) for label, v in points if v is not None]
    desc = "Données dans le tableau qui suit : " + " ; ".join(f"{lab} : {fmt(v)}" for lab, v in known)
    parts = [_open(slug, title, desc, height)]
    for tick in range(5):
        tick_value = top_value * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="1"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}" '
            f'font-size="12">{escape(fmt(tick_value))}</text>'
        )
    coords: list[tuple[float, float] | None] = []
    for n, (_, point) in enumerate(points):
        x = left + (step * n if len(points) > 1 else plot_w / 2)
        coords.append(
            None if point is None else (x, top + plot_h - min(point, top_value) / top_value * plot_h)
        )
    run: list[str] = []
    for c in [*coords, None]:
        if c is None:
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{INK}" stroke-width="3"/>'
                )
            run = []
        else:
            run.append(f"{c[0]:.1f},{c[1]:.1f}")
    every = max(1, len(points) // 8)
    for n, ((label, _), c) in enumerate(zip(points, coords, strict=True)):
        x = left + (step * n if len(points) > 1 else plot_w / 2)
        if c is not None:
            parts.append(f'<circle cx="{c[0]:.1f}" cy="{c[1]:.1f}" r="5" fill="{INK}"/>')
        if n % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" fill="{TEXT}" '
                f'font-size="12">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Chart(slug, title, headers, rows, Markup("".join(parts)))
