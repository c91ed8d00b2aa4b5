"""Objectives: validation, measures and progress from journal records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from estimate_journal import Filled

from avec.estimate.objectives import EXAMPLE_OBJECTIVES, Metric, Objective, ObjectiveError, evaluate
from avec.estimate.snapshot import FreeTask, Snapshot, Use, load_snapshot, period_bounds

T0 = datetime(2026, 11, 2, tzinfo=UTC)


def _snapshot(uses: list[Use], free: list[FreeTask], days: int = 14) -> Snapshot:
    return Snapshot(T0, T0 + timedelta(days=days), None, tuple(uses), tuple(free))


def _letter(ratio: float | None, *, outcome: str = "validated", seconds: float = 300.0, user: int = 1) -> Use:
    return Use(T0, "compagnon", "chatgpt", "courrier", outcome, user_id=user, team="cardio",
               correction_ratio=ratio, duration_seconds=seconds, rating=4)  # fmt: skip


def test_correction_ratio_ceiling_met_and_missed() -> None:
    goal = Objective(Metric.CORRECTION_RATIO_MAX, 0.15, task="courrier")
    met = evaluate(goal, _snapshot([_letter(0.10), _letter(0.20), _letter(None, outcome="rejected")], []))
    assert met.value == pytest.approx(0.15) and met.met is True and met.completion == 1.0
    assert met.sample == 2
    missed = evaluate(goal, _snapshot([_letter(0.30)], []))
    assert missed.met is False and missed.completion == pytest.approx(0.5)
    assert "cible 15 %" in missed.message


def test_share_without_ai_counts_tasks_of_the_objective_only() -> None:
    goal = Objective(Metric.AI_FREE_SHARE_MIN, 0.30, task="courrier")
    free = [FreeTask(T0, "courrier"), FreeTask(T0, "resume_cr")]
    progress = evaluate(goal, _snapshot([_letter(0.1), _letter(0.1)], free))
    assert progress.value == pytest.approx(1 / 3)
    assert progress.met is True


def test_time_saved_per_week_uses_the_declared_baseline() -> None:
    goal = Objective(Metric.TIME_SAVED_PER_WEEK_MIN, 60.0, task="courrier", baseline_minutes=20.0)
    # 6 letters of 5 minutes instead of 20 over two weeks: 90 min saved, 45 min a week.
    progress = evaluate(goal, _snapshot([_letter(0.1) for _ in range(6)], []))
    assert progress.value == pytest.approx(45.0)
    assert progress.met is False and progress.completion == pytest.approx(0.75)


def test_personal_objective_reads_only_that_user() -> None:
    goal = Objective(Metric.CORRECTION_RATIO_MAX, 0.15, user_id=2)
    progress = evaluate(goal, _snapshot([_letter(0.9, user=1), _letter(0.1, user=2)], []))
    assert progress.value == pytest.approx(0.1) and progress.met is True


def test_no_data_is_neither_met_nor_missed() -> None:
    progress = evaluate(Objective(Metric.RATING_MIN, 4.0), _snapshot([], []))
    assert progress.value is None and progress.met is None and progress.completion == 0.0
    assert "Pas encore de données" in progress.message


@pytest.mark.parametrize(
    "kwargs",
    [
        {"metric": Metric.CORRECTION_RATIO_MAX, "target": 15.0},
        {"metric": Metric.RATING_MIN, "target": 6.0},
        {"metric": Metric.TIME_SAVED_PER_WEEK_MIN, "target": 30.0},
        {"metric": Metric.AI_FREE_SHARE_MIN, "target": 0.3, "user_id": 1, "team": "cardio"},
        {"metric": "inconnu", "target": 0.3},
    ],
)
def test_malformed_objectives_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ObjectiveError):
        Objective(**kwargs)  # type: ignore[arg-type]


def test_labels_are_french_with_units() -> None:
    labels = [o.label_fr() for o in EXAMPLE_OBJECTIVES]
    assert labels[0] == "taux de correction moyen des réponses validées ≤ 15 % (courrier)"
    assert labels[1] == "part des tâches faites sans IA ≥ 30 % (courrier)"
    assert labels[2] == "temps gagné par semaine ≥ 60 min (courrier)"


def test_team_objectives_on_the_filled_journal(filled: Filled) -> None:
    start, end = period_bounds(date(2026, 11, 1), date(2026, 11, 30))
    snap = load_snapshot(filled.engine, start, end)
    ratio = evaluate(Objective(Metric.CORRECTION_RATIO_MAX, 0.15, task="courrier", team="cardio"), snap)
    assert ratio.value == pytest.approx(0.15) and ratio.met is True and ratio.sample == 4
    share = evaluate(Objective(Metric.AI_FREE_SHARE_MIN, 0.30, task="courrier", team="cardio"), snap)
    assert share.value == pytest.approx(3 / 7)
    urgences = evaluate(Objective(Metric.CORRECTION_RATIO_MAX, 0.15, team="urgences"), snap)
    assert urgences.value == pytest.approx(0.9) and urgences.met is False
