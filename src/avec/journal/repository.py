"""The journal's small repository API: record interactions and AI-free tasks, read history.

Callers pass only categories, counts and measures; the dataclasses below have no field that
could carry text, so identifying content cannot reach the database through this API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from avec.journal.db import session_factory
from avec.journal.models import AiFreeTask, Interaction, Outcome, User, utcnow

# Codes only (task ids, labels, finding types): anything else could be free text.
_CODE = re.compile(r"[A-Za-z0-9_\-\.éèàùçâêîôû]{1,64}")


class JournalValueError(ValueError):
    """A value refused by the journal (the message never repeats it)."""


def _code(value: str, what: str) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise JournalValueError(f"{what} invalide : un code court est attendu")
    return value


def _counts(counts: Mapping[str, int], what: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, n in counts.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise JournalValueError(f"{what} : les comptes doivent être des entiers positifs")
        if n:
            out[_code(key, what)] = n
    return out


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """What is recorded about one interaction (never any text).

    Attributes:
        system_id: catalogue identifier of the GenAI system.
        task: task type code.
        outcome: validated, rejected or abandoned.
        data_categories: identifiers replaced, per label.
        indirect_risk: indirect-identification level, if assessed.
        finding_counts: verification findings, per type.
        correction_ratio: 0 (answer kept) to 1 (entirely rewritten).
        duration_seconds: time spent from request to decision.
        rating: ease of use, 1 to 5.
        user_id: local account, when known (gateway).
    """

    system_id: str
    task: str
    outcome: Outcome
    data_categories: Mapping[str, int] = field(default_factory=dict)
    indirect_risk: str | None = None
    finding_counts: Mapping[str, int] = field(default_factory=dict)
    correction_ratio: float | None = None
    duration_seconds: float | None = None
    rating: int | None = None
    user_id: int | None = None

    def __post_init__(self) -> None:
        _code(self.system_id, "système")
        _code(self.task, "tâche")
        if not isinstance(self.outcome, Outcome):
            raise JournalValueError("issue invalide (validée, rejetée ou abandonnée)")
        if self.indirect_risk is not None:
            _code(self.indirect_risk, "risque indirect")
        if self.correction_ratio is not None and not 0.0 <= self.correction_ratio <= 1.0:
            raise JournalValueError("taux de correction hors de [0, 1]")
        if self.duration_seconds is not None and self.duration_seconds < 0:
            raise JournalValueError("durée négative")
        if self.rating is not None and (
            isinstance(self.rating, bool) or not isinstance(self.rating, int) or not 1 <= self.rating <= 5
        ):
            raise JournalValueError("note hors de 1 à 5")
        _counts(self.data_categories, "catégories de données")
        _counts(self.finding_counts, "constats de vérification")


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of the history page: an interaction or a task done without AI."""

    kind: str  # "interaction" or "sans_ia"
    id: int
    created_at: datetime
    task: str
    system_id: str | None = None
    outcome: Outcome | None = None
    data_categories: dict[str, int] = field(default_factory=dict)
    indirect_risk: str | None = None
    finding_counts: dict[str, int] = field(default_factory=dict)
    correction_ratio: float | None = None
    duration_seconds: float | None = None
    rating: int | None = None


class Journal:
    """Records and reads the journal.

    Args:
        engine: an engine whose database is migrated (see :func:`avec.journal.db.upgrade`).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions: sessionmaker[Session] = session_factory(engine)

    def record_interaction(self, record: InteractionRecord, *, at: datetime | None = None) -> int:
        """Store one interaction; returns its id."""
        row = Interaction(
            created_at=at or utcnow(),
            user_id=record.user_id,
            system_id=record.system_id,
            task=record.task,
            data_categories=_counts(record.data_categories, "catégories de données"),
            indirect_risk=record.indirect_risk,
            finding_counts=_counts(record.finding_counts, "constats de vérification"),
            correction_ratio=record.correction_ratio,
            duration_seconds=record.duration_seconds,
            rating=record.rating,
            outcome=record.outcome,
        )
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return row.id

    def record_ai_free_task(
        self, task: str, *, user_id: int | None = None, at: datetime | None = None
    ) -> int:
        """Store a task done without AI; returns its id."""
        row = AiFreeTask(created_at=at or utcnow(), task=_code(task, "tâche"), user_id=user_id)
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return row.id

    def add_user(self, name: str, team: str | None = None, api_key_hash: str | None = None) -> int:
        """Create a local account (for the gateway); returns its id.

        Args:
            name: display name of the account.
            team: team or department, used to group the journal.
            api_key_hash: hash of the account's gateway key (never the key itself).
        """
        if not name.strip():
            raise JournalValueError("nom de compte vide")
        if api_key_hash is not None and not re.fullmatch(r"[0-9a-f]{64,128}", api_key_hash):
            raise JournalValueError("empreinte de clé invalide : un hachage hexadécimal est attendu")
        with self._sessions.begin() as session:
            row = User(name=name.strip(), team=team, api_key_hash=api_key_hash, created_at=utcnow())
            session.add(row)
            session.flush()
            return row.id

    def history(self, limit: int = 50) -> list[HistoryEntry]:
        """The latest interactions and AI-free tasks, newest first, at most ``limit`` in all."""
        if limit <= 0:
            return []
        with self._sessions() as session:
            inter = session.scalars(
                select(Interaction)
                .order_by(Interaction.created_at.desc(), Interaction.id.desc())
                .limit(limit)
            ).all()
            free = session.scalars(
                select(AiFreeTask).order_by(AiFreeTask.created_at.desc(), AiFreeTask.id.desc()).limit(limit)
            ).all()
        entries = [
            HistoryEntry(
                kind="interaction",
                id=r.id,
                created_at=r.created_at,
                task=r.task,
                system_id=r.system_id,
                outcome=Outcome(r.outcome),
                data_categories=dict(r.data_categories or {}),
                indirect_risk=r.indirect_risk,
                finding_counts=dict(r.finding_counts or {}),
                correction_ratio=r.correction_ratio,
                duration_seconds=r.duration_seconds,
                rating=r.rating,
            )
            for r in inter
        ]
        entries += [HistoryEntry(kind="sans_ia", id=r.id, created_at=r.created_at, task=r.task) for r in free]
        entries.sort(key=lambda e: (e.created_at, e.id), reverse=True)
        return entries[:limit]
