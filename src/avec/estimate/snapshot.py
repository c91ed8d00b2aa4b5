"""The journal records of a period, read once and flattened for figures and objectives.

Two sources describe uses of AI: the companion's ``interactions`` (copy and paste into any
chatbot) and the gateway's ``gateway_requests`` (API calls, with tokens and impacts). Both
become :class:`Use` rows; tasks done without AI become :class:`FreeTask` rows. Everything
here is codes, counts and measures: the journal holds no text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from avec.journal.models import AiFreeTask, Interaction, User

COMPANION = "compagnon"
GATEWAY = "passerelle"


@dataclass(frozen=True, slots=True)
class Use:
    """One use of a GenAI system, from the companion or the gateway.

    Attributes:
        source: ``compagnon`` or ``passerelle``.
        actor: a pseudonymous key of who used it (``u12`` for a user, ``k<key id>`` for a
            gateway key), None when unknown; used to count adoption, never shown.
        outcome: ``validated``/``rejected``/``abandoned`` (companion), ``ok``/``blocked``/
            ``error`` (gateway).
        replaced, blocked: identifiers per data category, replaced by surrogates or blocked.
        allowed: identifiers per category sent as they were because the policy allowed it.
    """

    at: datetime
    source: str
    system_id: str
    task: str | None
    outcome: str
    user_id: int | None = None
    team: str | None = None
    actor: str | None = None
    replaced: dict[str, int] = field(default_factory=dict)
    blocked: dict[str, int] = field(default_factory=dict)
    allowed: dict[str, int] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    correction_ratio: float | None = None
    duration_seconds: float | None = None
    rating: int | None = None
    energy_kwh: float | None = None
    gwp_kgco2eq: float | None = None
    water_l: float | None = None


@dataclass(frozen=True, slots=True)
class FreeTask:
    """A task done without AI."""

    at: datetime
    task: str
    user_id: int | None = None
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Uses and AI-free tasks of ``[start, end)`` (UTC), optionally of one team."""

    start: datetime
    end: datetime
    team: str | None
    uses: tuple[Use, ...]
    free_tasks: tuple[FreeTask, ...]

    @property
    def weeks(self) -> float:
        """Length of the period in weeks (at least one day's worth)."""
        return max((self.end - self.start).total_seconds(), 86400.0) / (7 * 86400.0)

    def for_user(self, user_id: int) -> Snapshot:
        """The same period restricted to one user."""
        return Snapshot(
            self.start,
            self.end,
            self.team,
            tuple(u for u in self.uses if u.user_id == user_id),
            tuple(f for f in self.free_tasks if f.user_id == user_id),
        )

    def for_team(self, team: str | None) -> Snapshot:
        """The same period restricted to one team (everyone when ``team`` is None)."""
        if team is None:
            return self
        return Snapshot(
            self.start,
            self.end,
            team,
            tuple(u for u in self.uses if u.team == team),
            tuple(f for f in self.free_tasks if f.team == team),
        )


def period_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """``[first_day 00:00, last_day + 1 00:00)`` in UTC; both days are included.

    Raises:
        ValueError: ``last_day`` is before ``first_day``.
    """
    if last_day < first_day:
        raise ValueError("la date de fin précède la date de début")
    start = datetime.combine(first_day, time.min, tzinfo=UTC)
    return start, datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC)


def _counts(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {str(k): int(v) for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}


def load_snapshot(engine: Engine, start: datetime, end: datetime, *, team: str | None = None) -> Snapshot:
    """Read the journal records of ``[start, end)``.

    Args:
        engine: a migrated journal engine.
        start: first instant (timezone-aware).
        end: instant just after the period (timezone-aware).
        team: keep only this team's records (a user's team, or a gateway key's team).
    """
    with Session(engine) as session:
        teams = {u.id: u.team for u in session.scalars(select(User))}
        uses = [
            Use(
                at=r.created_at,
                source=COMPANION,
                system_id=r.system_id,
                task=r.task,
                outcome=str(r.outcome.value if hasattr(r.outcome, "value") else r.outcome),
                user_id=r.user_id,
                team=teams.get(r.user_id) if r.user_id is not None else None,
                actor=f"u{r.user_id}" if r.user_id is not None else None,
                replaced=_counts(r.data_categories),
                findings=_counts(r.finding_counts),
                correction_ratio=r.correction_ratio,
                duration_seconds=r.duration_seconds,
                rating=r.rating,
            )
            for r in session.scalars(
                select(Interaction).where(Interaction.created_at >= start, Interaction.created_at < end)
            )
        ]
        free = [
            FreeTask(r.created_at, r.task, r.user_id, teams.get(r.user_id) if r.user_id is not None else None)
            for r in session.scalars(
                select(AiFreeTask).where(AiFreeTask.created_at >= start, AiFreeTask.created_at < end)
            )
        ]
        uses += _gateway_uses(engine, session, start, end)
    snap = Snapshot(start, end, None, tuple(sorted(uses, key=lambda u: u.at)), tuple(free))
    return snap.for_team(team)


def _gateway_uses(engine: Engine, session: Session, start: datetime, end: datetime) -> list[Use]:
    # The gateway's table exists only once its migration ran; a companion-only install
    # (or an older database) simply has no gateway uses.
    if not inspect(engine).has_table("gateway_requests"):
        return []
    from avec.gateway.models import GatewayRequest

    rows = session.scalars(
        select(GatewayRequest).where(GatewayRequest.created_at >= start, GatewayRequest.created_at < end)
    )
    return [
        Use(
            at=r.created_at,
            source=GATEWAY,
            system_id=r.system_id,
            task=r.task,
            outcome=r.status,
            team=r.team,
            actor=f"k{r.key_id}",
            replaced=_counts(r.replaced),
            blocked=_counts(r.blocked),
            allowed=_counts(r.allowed),
            findings=_counts(r.finding_counts),
            # The gateway's latency is machine time, not the professional's: no duration.
            energy_kwh=r.energy_kwh,
            gwp_kgco2eq=r.gwp_kgco2eq,
            water_l=r.water_l,
        )
        for r in rows
    ]
