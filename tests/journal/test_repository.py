"""The journal repository on SQLite and PostgreSQL: recording, history, refusal of text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from avec.journal import InteractionRecord, Journal, JournalValueError, Outcome, upgrade
from avec.journal.db import alembic_config

if TYPE_CHECKING:
    from conftest import Database  # the shared fixture's type (tests/conftest.py)

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _record(**changes: object) -> InteractionRecord:
    values: dict[str, object] = {
        "system_id": "le_chat",
        "task": "courrier",
        "outcome": Outcome.VALIDATED,
        "data_categories": {"NOM": 2, "SECU": 1},
        "indirect_risk": "modéré",
        "finding_counts": {"DOSE_OVER_MAX": 1},
        "correction_ratio": 0.25,
        "duration_seconds": 312.5,
        "rating": 4,
    }
    values.update(changes)
    return InteractionRecord(**values)  # type: ignore[arg-type]


def test_migration_creates_every_table(database: Database) -> None:
    names = set(inspect(database.engine).get_table_names())
    assert {"users", "interactions", "ai_free_tasks", "vault_blobs", "alembic_version"} <= names


def test_upgrade_twice_is_harmless(database: Database) -> None:
    upgrade(database.engine)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head


def test_record_and_read_back(database: Database) -> None:
    journal = Journal(database.engine)
    new_id = journal.record_interaction(_record(), at=T0)
    [entry] = journal.history()
    assert entry.id == new_id
    assert entry.kind == "interaction"
    assert entry.created_at == T0
    assert entry.outcome is Outcome.VALIDATED
    assert entry.data_categories == {"NOM": 2, "SECU": 1}
    assert entry.finding_counts == {"DOSE_OVER_MAX": 1}
    assert entry.indirect_risk == "modéré"
    assert entry.correction_ratio == pytest.approx(0.25)
    assert entry.duration_seconds == pytest.approx(312.5)
    assert entry.rating == 4


def test_zero_counts_are_dropped(database: Database) -> None:
    journal = Journal(database.engine)
    journal.record_interaction(_record(data_categories={"NOM": 0, "DATE": 3}, finding_counts={}))
    [entry] = journal.history()
    assert entry.data_categories == {"DATE": 3}
    assert entry.finding_counts == {}


def test_history_mixes_kinds_newest_first_and_limits(database: Database) -> None:
    journal = Journal(database.engine)
    journal.record_interaction(_record(outcome=Outcome.REJECTED), at=T0)
    journal.record_ai_free_task("courrier", at=T0 + timedelta(minutes=5))
    journal.record_interaction(_record(outcome=Outcome.ABANDONED, rating=None), at=T0 + timedelta(minutes=10))
    entries = journal.history()
    assert [(e.kind, e.outcome) for e in entries] == [
        ("interaction", Outcome.ABANDONED),
        ("sans_ia", None),
        ("interaction", Outcome.REJECTED),
    ]
    assert [e.kind for e in journal.history(limit=2)] == ["interaction", "sans_ia"]
    assert journal.history(limit=0) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"rating": 0},
        {"rating": 6},
        {"correction_ratio": 1.5},
        {"duration_seconds": -1.0},
        {"task": "Résumer le compte rendu de M. Martin"},
        {"system_id": ""},
        {"data_categories": {"NOM": -1}},
        {"finding_counts": {"Jean Dupont né le 12/03/1950": 1}},
        {"outcome": "validated"},
    ],
)
def test_refuses_values_that_are_not_codes_or_measures(changes: dict[str, object]) -> None:
    with pytest.raises(JournalValueError) as info:
        _record(**changes)
    assert "Martin" not in str(info.value)
    assert "Dupont" not in str(info.value)


def test_outcome_constraint_holds_in_the_database(database: Database) -> None:
    with pytest.raises(Exception), database.engine.begin() as conn:  # noqa: B017
        conn.execute(
            text(
                "INSERT INTO interactions (created_at, system_id, task, data_categories, finding_counts,"
                " outcome) VALUES (:t, 'x', 'autre', '{}', '{}', 'peut-être')"
            ),
            {"t": T0.replace(tzinfo=None)},
        )


def test_ai_free_task_refuses_free_text(database: Database) -> None:
    with pytest.raises(JournalValueError):
        Journal(database.engine).record_ai_free_task("lettre pour Mme Durand")


def test_users_are_linked_to_interactions(database: Database) -> None:
    journal = Journal(database.engine)
    user_id = journal.add_user("Équipe SSR", team="SSR", api_key_hash="ab" * 32)
    journal.record_interaction(_record(user_id=user_id))
    journal.record_ai_free_task("courrier", user_id=user_id)
    with database.engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM interactions WHERE user_id = :u"), {"u": user_id}
            ).scalar()
            == 1
        )
    with pytest.raises(JournalValueError):
        journal.add_user("x", api_key_hash="ma-clé-en-clair")


def test_unknown_user_is_refused_by_the_foreign_key(database: Database) -> None:
    with pytest.raises(Exception):  # noqa: B017
        Journal(database.engine).record_interaction(_record(user_id=987654))
