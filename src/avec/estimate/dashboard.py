"""Dashboard figures of a period: uses, corrections, ratings, time, AI-free practice,
findings, identifiers replaced or blocked, and the environmental footprint.

Figures are plain data (:meth:`DashboardFigures.to_dict` gives JSON for charts); the team
report, the web dashboard and the CSV export all read the same object.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from statistics import fmean
from typing import Any

from avec.estimate.equivalents import Equivalent, equivalents
from avec.estimate.snapshot import Snapshot, Use


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """A weekly mean (weeks start on Monday); ``value`` is None when the week has no data."""

    week: date
    value: float | None
    sample: int


@dataclass(frozen=True, slots=True)
class Footprint:
    """Environmental footprint of the requests whose impacts were measured (gateway).

    Totals are lower bounds: EcoLogits models generated tokens only, and uses through the
    companion (copy and paste into a chatbot) cannot be measured.
    """

    measured_requests: int
    energy_kwh: float
    gwp_kgco2eq: float
    water_l: float | None
    energy_wh_per_request: float | None
    gwp_g_per_request: float | None
    water_ml_per_request: float | None
    equivalents: tuple[Equivalent, ...]


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    """Every figure the dashboard draws, for one period and scope."""

    start: date
    end: date
    uses: int
    actors: int
    uses_by_task: dict[str, int]
    uses_by_system: dict[str, int]
    uses_by_source: dict[str, int]
    outcomes: dict[str, int]
    correction_ratio_mean: float | None
    correction_by_week: tuple[WeekPoint, ...]
    rating_mean: float | None
    rating_by_week: tuple[WeekPoint, ...]
    time_spent_seconds: float
    time_by_task_seconds: dict[str, float]
    ai_free_tasks: int
    ai_free_share: float | None
    ai_free_by_task: dict[str, int]
    findings_by_type: dict[str, int]
    replaced_by_category: dict[str, int]
    blocked_by_category: dict[str, int]
    footprint: Footprint

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (dates as ISO strings) for charts."""
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        for key in ("correction_by_week", "rating_by_week"):
            data[key] = [{**p, "week": p["week"].isoformat()} for p in data[key]]
        return data


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _sum_counts(dicts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for d in dicts:
        total.update(d)
    return _sorted(total)


def _weekly(snapshot: Snapshot, pairs: list[tuple[date, float]]) -> tuple[WeekPoint, ...]:
    first = snapshot.start.date() - timedelta(days=snapshot.start.weekday())
    last = (snapshot.end - timedelta(microseconds=1)).date()
    by_week: dict[date, list[float]] = {}
    for day, value in pairs:
        by_week.setdefault(day - timedelta(days=day.weekday()), []).append(value)
    points: list[WeekPoint] = []
    week = first
    while week <= last:
        values = by_week.get(week, [])
        points.append(WeekPoint(week, round(fmean(values), 3) if values else None, len(values)))
        week += timedelta(days=7)
    return tuple(points)


def _footprint(uses: list[Use]) -> Footprint:
    measured = [u for u in uses if u.energy_kwh is not None and u.gwp_kgco2eq is not None]
    energy = sum(u.energy_kwh or 0.0 for u in measured)
    gwp = sum(u.gwp_kgco2eq or 0.0 for u in measured)
    waters = [u.water_l for u in measured if u.water_l is not None]
    water = sum(waters) if waters else None
    n = len(measured)
    eq = [
        *equivalents("energy_kwh", energy),
        *equivalents("gwp_kgco2eq", gwp),
        *equivalents("water_l", water),
    ]
    return Footprint(
        measured_requests=n,
        energy_kwh=energy,
        gwp_kgco2eq=gwp,
        water_l=water,
        energy_wh_per_request=energy * 1000 / n if n else None,
        gwp_g_per_request=gwp * 1000 / n if n else None,
        water_ml_per_request=(water * 1000 / len(waters)) if water is not None and waters else None,
        equivalents=tuple(eq),
    )


def dashboard(snapshot: Snapshot) -> DashboardFigures:
    """All dashboard figures of ``snapshot``.

    Correction ratios count validated answers only (a rejected answer has no final text);
    the AI-free share is AI-free tasks over all tasks (with and without AI).
    """
    uses = list(snapshot.uses)
    validated = [u for u in uses if u.outcome == "validated" and u.correction_ratio is not None]
    rated = [u for u in uses if u.rating is not None]
    timed = [u for u in uses if u.duration_seconds is not None]
    time_by_task: dict[str, float] = {}
    for u in timed:
        key = u.task or "inconnue"
        time_by_task[key] = time_by_task.get(key, 0.0) + (u.duration_seconds or 0.0)
    free = len(snapshot.free_tasks)
    return DashboardFigures(
        start=snapshot.start.date(),
        end=(snapshot.end - timedelta(microseconds=1)).date(),
        uses=len(uses),
        actors=len({u.actor for u in uses if u.actor is not None}),
        uses_by_task=_sorted(Counter(u.task or "inconnue" for u in uses)),
        uses_by_system=_sorted(Counter(u.system_id for u in uses)),
        uses_by_source=_sorted(Counter(u.source for u in uses)),
        outcomes=_sorted(Counter(u.outcome for u in uses)),
        correction_ratio_mean=round(fmean(u.correction_ratio or 0.0 for u in validated), 3)
        if validated
        else None,
        correction_by_week=_weekly(snapshot, [(u.at.date(), u.correction_ratio or 0.0) for u in validated]),
        rating_mean=round(fmean(float(u.rating or 0) for u in rated), 2) if rated else None,
        rating_by_week=_weekly(snapshot, [(u.at.date(), float(u.rating or 0)) for u in rated]),
        time_spent_seconds=float(sum(time_by_task.values())),
        time_by_task_seconds={k: round(v, 1) for k, v in sorted(time_by_task.items())},
        ai_free_tasks=free,
        ai_free_share=round(free / (free + len(uses)), 3) if free + len(uses) else None,
        ai_free_by_task=_sorted(Counter(f.task for f in snapshot.free_tasks)),
        findings_by_type=_sum_counts(u.findings for u in uses),
        replaced_by_category=_sum_counts(u.replaced for u in uses),
        blocked_by_category=_sum_counts(u.blocked for u in uses),
        footprint=_footprint(uses),
    )
