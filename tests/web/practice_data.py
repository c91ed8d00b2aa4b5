"""A little journal for the dashboard pages: companion uses, AI-free tasks and gateway requests.

A module of its own (not ``conftest``) so that tests import it by a unique name.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from avec.gateway.models import GatewayRequest
from avec.journal import InteractionRecord, Journal, Outcome


def fill_recent(engine: Engine, now: datetime | None = None) -> None:
    """Within the last 30 days: 3 letters (corrections 10 %, 20 %, 30 %; ratings 4, 5, 3), one AI-free
    letter, and 2 gateway requests of 2 Wh, 0.5 g CO2e and 10 mL each (one blocked NIR)."""
    now = now or datetime.now(UTC)
    journal = Journal(engine)
    for days, ratio, rating in [(20, 0.10, 4), (10, 0.20, 5), (2, 0.30, 3)]:
        journal.record_interaction(
            InteractionRecord(
                "chatgpt",
                "courrier",
                Outcome.VALIDATED,
                {"NOM": 2, "DATE_NAISSANCE": 1},
                "faible",
                {"DOSE_OVER_MAX": 1},
                ratio,
                300.0,
                rating,
            ),
            at=now - timedelta(days=days),
        )
    journal.record_ai_free_task("courrier", at=now - timedelta(days=3))
    with Session(engine) as session, session.begin():
        for n, status in enumerate(["ok", "ok", "blocked"]):
            measured = status == "ok"
            session.add(
                GatewayRequest(
                    created_at=now - timedelta(days=5, hours=n),
                    key_id="poste-test",
                    team="cardio",
                    system_id="ia_etablissement",
                    model="mistral-small-latest",
                    task="resume_cr",
                    stream=False,
                    status=status,
                    replaced={"NOM": 1} if measured else {},
                    allowed={},
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
