"""A journal filled with a known month of use, for the dashboard, objectives and reports.

A module of its own (not ``conftest``) so that tests import it by a unique name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from avec.estimate.objectives import Metric, Objective
from avec.estimate.register import ErrorReport, Register
from avec.gateway.models import GatewayRequest
from avec.journal import InteractionRecord, Journal, Outcome

NOV = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


@dataclass(frozen=True)
class Filled:
    """The engine and the ids of the records made by :func:`fill`."""

    engine: Engine
    cardio_a: int
    cardio_b: int
    urgences: int


def no_identifier(_text: str) -> bool:
    """A lesson screen that finds nothing (the real one loads spaCy)."""
    return False


def fill(engine: Engine) -> Filled:
    """November 2026 for team "cardio" (and a little of "urgences" and October).

    Cardio, companion: user A writes 4 letters (correction 0.10, 0.20, 0.05, 0.25; 5 min each;
    ratings 4, 5, 3, 4), user B summarises 2 reports (0.30, validated; one rejected). A does
    2 letters without AI, B 1. Cardio, gateway: 2 requests with impacts (2 Wh, 0.5 g CO2e,
    10 mL each) and one blocked because of a NIR.
    """
    journal = Journal(engine)
    a = journal.add_user("Soignant A", team="cardio")
    b = journal.add_user("Soignant B", team="cardio")
    u = journal.add_user("Soignant U", team="urgences")
    for i, (ratio, rating) in enumerate([(0.10, 4), (0.20, 5), (0.05, 3), (0.25, 4)]):
        record = InteractionRecord(
            "chatgpt",
            "courrier",
            Outcome.VALIDATED,
            {"NOM": 2, "DATE_NAISSANCE": 1},
            "faible",
            {"DOSE_OVER_MAX": 1} if i == 0 else {},
            ratio,
            300.0,
            rating,
            a,
        )
        journal.record_interaction(record, at=NOV + timedelta(days=7 * i))
    for outcome, ratio in [(Outcome.VALIDATED, 0.30), (Outcome.REJECTED, None)]:
        record = InteractionRecord(
            "ia_etablissement",
            "resume_cr",
            outcome,
            {"NOM": 1},
            None,
            {"UNGROUNDED_NUMBER": 2},
            ratio,
            600.0,
            2,
            b,
        )
        journal.record_interaction(record, at=NOV + timedelta(days=1))
    journal.record_interaction(
        InteractionRecord("chatgpt", "courrier", Outcome.VALIDATED, {}, None, {}, 0.9, 60.0, 1, u), at=NOV
    )
    journal.record_interaction(  # October: outside the period
        InteractionRecord("chatgpt", "courrier", Outcome.VALIDATED, {}, None, {}, 0.9, 60.0, 1, a),
        at=NOV - timedelta(days=10),
    )
    journal.record_ai_free_task("courrier", user_id=a, at=NOV + timedelta(days=2))
    journal.record_ai_free_task("courrier", user_id=a, at=NOV + timedelta(days=9))
    journal.record_ai_free_task("courrier", user_id=b, at=NOV + timedelta(days=3))
    with Session(engine) as session, session.begin():
        for n, status in enumerate(["ok", "ok", "blocked"]):
            measured = status == "ok"
            session.add(
                GatewayRequest(
                    created_at=NOV + timedelta(days=4, hours=n),
                    key_id="poste-cardio",
                    team="cardio",
                    system_id="ia_etablissement",
                    model="mistral-small-latest",
                    task="resume_cr",
                    stream=False,
                    status=status,
                    replaced={"NOM": 1} if measured else {},
                    allowed={"DATE": 1} if measured else {},
                    blocked={} if measured else {"SECU": 1},
                    finding_counts={},
                    prompt_tokens=400,
                    completion_tokens=200 if measured else None,
                    tokens_estimated=False,
                    latency_ms=1500.0,
                    energy_kwh=0.002 if measured else None,
                    gwp_kgco2eq=0.0005 if measured else None,
                    water_l=0.01 if measured else None,
                )
            )
    register = Register(engine, screen=no_identifier)
    register.report_error(
        ErrorReport("chatgpt", "courrier", "dose_erronee", "grave", "verification_avec", False, a, "cardio"),
        at=NOV + timedelta(days=8),
    )
    register.report_error(
        ErrorReport("ia_etablissement", "resume_cr", "omission", "faible", "relecture", False, b, "cardio"),
        at=NOV + timedelta(days=9),
    )
    register.share_lesson(
        "Toujours relire les posologies proposées.",
        task="courrier",
        team="cardio",
        at=NOV + timedelta(days=8),
    )
    register.add_objective(Objective(Metric.CORRECTION_RATIO_MAX, 0.15, task="courrier", team="cardio"))
    register.add_objective(Objective(Metric.AI_FREE_SHARE_MIN, 0.30, task="courrier", team="cardio"))
    register.add_objective(Objective(Metric.RATING_MIN, 4.5, user_id=a))  # personal: not in team reports
    return Filled(engine, a, b, u)
