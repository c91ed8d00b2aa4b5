"""AI-error register, shared lessons and stored objectives, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from avec.estimate.objectives import Metric, Objective
from avec.estimate.register import ErrorReport, Register, RegisterError
from avec.journal.models import Base

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_migration_creates_the_tables_of_the_models(database: Any) -> None:
    assert {"ai_error_reports", "lessons", "objectives"} <= set(inspect(database.engine).get_table_names())
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_report_and_read_errors_by_period_and_team(database: Any) -> None:
    reg = Register(database.engine, screen=lambda _t: False)
    first = reg.report_error(
        ErrorReport("chatgpt", "courrier", "dose_erronee", "critique", team="cardio"), at=T0
    )
    reg.report_error(ErrorReport("chatgpt", "courrier", "omission", "faible", team="urgences"), at=T0)
    reg.report_error(ErrorReport("chatgpt", "courrier", "biais", "moderee"), at=T0 - timedelta(days=40))
    found = reg.errors(T0 - timedelta(days=1), T0 + timedelta(days=1), team="cardio")
    assert [(e.id, e.category, e.severity, e.reached_patient) for e in found] == [
        (first, "dose_erronee", "critique", False)
    ]
    assert found[0].created_at == T0
    assert len(reg.errors(T0 - timedelta(days=1), T0 + timedelta(days=1))) == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"category": "inconnue"},
        {"severity": "énorme"},
        {"detected_by": "hasard"},
        {"system_id": "Jean Dupont né le 1/2/1950"},
        {"team": "équipe de Mme Durand"},
    ],
)
def test_malformed_reports_are_refused_without_echo(kwargs: dict[str, str]) -> None:
    values = {
        "system_id": "chatgpt",
        "task": "courrier",
        "category": "omission",
        "severity": "faible",
    } | kwargs
    with pytest.raises(RegisterError) as info:
        ErrorReport(**values)  # type: ignore[arg-type]
    assert "Dupont" not in str(info.value) and "Durand" not in str(info.value)


def test_lessons_are_screened_and_never_echoed(database: Any) -> None:
    reg = Register(database.engine, screen=lambda text: "Dupont" in text)
    lesson_id = reg.share_lesson(
        "  Relire   les doses   pédiatriques. ", task="courrier", team="cardio", at=T0
    )
    with pytest.raises(RegisterError) as info:
        reg.share_lesson("Mme Dupont a reçu une dose trop forte.", team="cardio")
    assert "Dupont" not in str(info.value)
    with pytest.raises(RegisterError):
        reg.share_lesson("   ")
    with pytest.raises(RegisterError):
        reg.share_lesson("x" * 601)
    lessons = reg.lessons(T0 - timedelta(days=1), T0 + timedelta(days=1), team="cardio")
    assert [(le.id, le.text, le.task) for le in lessons] == [
        (lesson_id, "Relire les doses pédiatriques.", "courrier")
    ]


def test_objectives_are_stored_scoped_and_deactivated(database: Any) -> None:
    reg = Register(database.engine)
    team_goal = reg.add_objective(
        Objective(Metric.CORRECTION_RATIO_MAX, 0.15, task="courrier", team="cardio")
    )
    reg.add_objective(Objective(Metric.AI_FREE_SHARE_MIN, 0.3, team="urgences"))
    reg.add_objective(Objective(Metric.RATING_MIN, 4.0))  # whole organisation
    reg.add_objective(Objective(Metric.RATING_MIN, 4.5, user_id=None, team=None))
    cardio = reg.objectives(team="cardio")
    assert [o.metric for o in cardio] == [Metric.CORRECTION_RATIO_MAX, Metric.RATING_MIN, Metric.RATING_MIN]
    assert cardio[0].id == team_goal and cardio[0].target == pytest.approx(0.15)
    assert reg.deactivate_objective(team_goal) is True
    assert reg.deactivate_objective(9999) is False
    assert [o.metric for o in reg.objectives(team="cardio")] == [Metric.RATING_MIN, Metric.RATING_MIN]


@pytest.mark.slow
def test_default_screen_refuses_a_lesson_with_a_name_and_a_phone(database: Any) -> None:
    reg = Register(database.engine)
    with pytest.raises(RegisterError):
        reg.share_lesson("Appeler M. Jean Dupont au 06 12 34 56 78 pour ses résultats.")
    assert reg.share_lesson("Toujours vérifier les unités des doses proposées par l'IA.") > 0
