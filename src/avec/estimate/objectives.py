"""Objectives per user or per team, and their progress computed from journal records.

An objective is a metric, a target and a scope, e.g. "correction ratio under 15 % for
discharge letters" (``CORRECTION_RATIO_MAX``, 0.15, task ``courrier``) or "at least 30 % of
letters written without AI" (``AI_FREE_SHARE_MIN``, 0.30). Progress is computed from a
:class:`~avec.estimate.snapshot.Snapshot`, so the same code serves the dashboard, the team
report and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from statistics import fmean

from avec.catalog import task_label
from avec.estimate.snapshot import Snapshot, Use


class Metric(StrEnum):
    """What an objective measures; the suffix says whether the target is a ceiling or a floor."""

    CORRECTION_RATIO_MAX = "correction_ratio_max"
    AI_FREE_SHARE_MIN = "ai_free_share_min"
    TIME_SAVED_PER_WEEK_MIN = "time_saved_per_week_min"
    RATING_MIN = "rating_min"
    VALIDATED_SHARE_MIN = "validated_share_min"

    @property
    def is_ceiling(self) -> bool:
        """True when the value must stay at or under the target."""
        return self.value.endswith("_max")


#: French wording of each metric, with the unit of its target.
METRIC_FR: dict[Metric, tuple[str, str]] = {
    Metric.CORRECTION_RATIO_MAX: ("taux de correction moyen des réponses validées", "%"),
    Metric.AI_FREE_SHARE_MIN: ("part des tâches faites sans IA", "%"),
    Metric.TIME_SAVED_PER_WEEK_MIN: ("temps gagné par semaine", "min"),
    Metric.RATING_MIN: ("facilité d'usage moyenne (1 à 5)", "/5"),
    Metric.VALIDATED_SHARE_MIN: ("part des réponses validées", "%"),
}


class ObjectiveError(ValueError):
    """An objective is not well formed (French message)."""


@dataclass(frozen=True, slots=True)
class Objective:
    """A target for a user (``user_id``) or a team (``team``; None with no user = everyone).

    Attributes:
        metric: what is measured.
        target: ratio in [0, 1] for shares and ratios, minutes for time saved, 1-5 for ratings.
        task: restrict to one task code (``courrier``...), None for all tasks.
        user_id: the user the objective belongs to, if personal.
        team: the team the objective belongs to, if collective.
        baseline_minutes: time the task takes without AI; required for time saved.
        id: database id, when stored.
    """

    metric: Metric
    target: float
    task: str | None = None
    user_id: int | None = None
    team: str | None = None
    baseline_minutes: float | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "metric", Metric(self.metric))
        except ValueError:
            raise ObjectiveError("indicateur d'objectif inconnu") from None
        if self.metric in (Metric.CORRECTION_RATIO_MAX, Metric.AI_FREE_SHARE_MIN, Metric.VALIDATED_SHARE_MIN):
            if not 0.0 <= self.target <= 1.0:
                raise ObjectiveError("la cible d'une part doit être comprise entre 0 et 1 (0,15 pour 15 %)")
        elif self.metric is Metric.RATING_MIN and not 1.0 <= self.target <= 5.0:
            raise ObjectiveError("la cible de facilité d'usage doit être comprise entre 1 et 5")
        elif self.target < 0:
            raise ObjectiveError("la cible doit être positive")
        if self.metric is Metric.TIME_SAVED_PER_WEEK_MIN and not self.baseline_minutes:
            raise ObjectiveError("indiquez la durée habituelle de la tâche sans IA (en minutes)")
        if self.user_id is not None and self.team is not None:
            raise ObjectiveError("un objectif est personnel ou d'équipe, pas les deux")

    @property
    def scope_fr(self) -> str:
        """Who the objective is for, in French (never a name)."""
        if self.user_id is not None:
            return "personnel"
        return f"équipe {self.team}" if self.team else "toute l'organisation"

    def label_fr(self) -> str:
        """The objective in words, e.g. "taux de correction ... ≤ 15 % (courrier)"."""
        text = METRIC_FR[self.metric][0]
        sign = "≤" if self.metric.is_ceiling else "≥"
        task = f" ({task_label(self.task).lower()})" if self.task else ""
        return f"{text} {sign} {format_target(self.metric, self.target)}{task}"


def format_target(metric: Metric, value: float) -> str:
    """A target or value with its unit, French style (decimal comma)."""
    unit = METRIC_FR[metric][1]
    if unit == "%":
        return f"{value * 100:.0f} %".replace(".", ",")
    if unit == "/5":
        return f"{value:.1f}/5".replace(".", ",")
    return f"{value:.0f} min"


@dataclass(frozen=True, slots=True)
class Progress:
    """Where an objective stands over a period.

    Attributes:
        value: the measured value (None when there is no data).
        met: whether the target is reached (None when there is no data).
        completion: 0 to 1, for a progress bar (1 when met).
        sample: how many records the value rests on.
        message: one French sentence summarising it.
    """

    objective: Objective
    value: float | None
    met: bool | None
    completion: float
    sample: int
    message: str


def _uses(snapshot: Snapshot, task: str | None) -> list[Use]:
    return [u for u in snapshot.uses if task is None or u.task == task]


def measure(objective: Objective, snapshot: Snapshot) -> tuple[float | None, int]:
    """Value of the metric on ``snapshot`` (already in the objective's scope) and its sample size."""
    uses = _uses(snapshot, objective.task)
    metric = objective.metric
    if metric is Metric.CORRECTION_RATIO_MAX:
        ratios = [
            u.correction_ratio for u in uses if u.outcome == "validated" and u.correction_ratio is not None
        ]
        return (fmean(ratios) if ratios else None), len(ratios)
    if metric is Metric.AI_FREE_SHARE_MIN:
        free = sum(1 for f in snapshot.free_tasks if objective.task is None or f.task == objective.task)
        total = free + len(uses)
        return (free / total if total else None), total
    if metric is Metric.RATING_MIN:
        ratings = [u.rating for u in uses if u.rating is not None]
        return (fmean(ratings) if ratings else None), len(ratings)
    if metric is Metric.VALIDATED_SHARE_MIN:
        decided = [u for u in uses if u.outcome in ("validated", "rejected", "abandoned")]
        ok = sum(1 for u in decided if u.outcome == "validated")
        return (ok / len(decided) if decided else None), len(decided)
    # Time saved: the usual duration without AI minus the time actually spent, per week.
    baseline = (objective.baseline_minutes or 0.0) * 60.0
    spent = [u.duration_seconds for u in uses if u.outcome == "validated" and u.duration_seconds is not None]
    if not spent:
        return None, 0
    saved_minutes = sum(baseline - s for s in spent) / 60.0
    return saved_minutes / snapshot.weeks, len(spent)


def evaluate(objective: Objective, snapshot: Snapshot) -> Progress:
    """Progress of ``objective`` over ``snapshot`` (restricted here to the objective's scope)."""
    scoped = snapshot.for_user(objective.user_id) if objective.user_id is not None else snapshot
    if objective.team is not None:
        scoped = scoped.for_team(objective.team)
    raw, n = measure(objective, scoped)
    target = objective.target
    # Rounded so that 0.1 + 0.2 averaged is "15 %" and meets a 15 % ceiling, as a reader expects.
    value = round(raw, 6) if raw is not None else None
    if value is None:
        return Progress(objective, None, None, 0.0, 0, "Pas encore de données sur la période.")
    if objective.metric.is_ceiling:
        met = value <= target
        completion = 1.0 if met else (target / value if value > 0 else 0.0)
    else:
        met = value >= target
        completion = 1.0 if met or target == 0 else max(0.0, value / target)
    shown = format_target(objective.metric, value)
    verdict = "objectif atteint" if met else f"cible {format_target(objective.metric, target)}"
    return Progress(
        objective,
        value,
        met,
        round(min(completion, 1.0), 3),
        n,
        f"{shown} sur {n} enregistrement(s) : {verdict}.",
    )


#: The issue's examples, for a new team: edit or replace them in the objectives page.
EXAMPLE_OBJECTIVES: tuple[Objective, ...] = (
    Objective(Metric.CORRECTION_RATIO_MAX, 0.15, task="courrier"),
    Objective(Metric.AI_FREE_SHARE_MIN, 0.30, task="courrier"),
    Objective(Metric.TIME_SAVED_PER_WEEK_MIN, 60.0, task="courrier", baseline_minutes=20.0),
)
