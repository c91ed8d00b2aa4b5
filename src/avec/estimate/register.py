"""Repository of the AI-error register, shared lessons and stored objectives.

A professional reports a wrong or dangerous answer with codes only (system, task, category,
severity, who caught it). A lesson is the only free text Estimer stores: it is short, meant
to be general ("toujours vérifier les doses pédiatriques"), and screened for identifiers
before it is written; a text in which the screen finds any identifier is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from avec.estimate.models import AiErrorReport, Lesson, ObjectiveRow
from avec.estimate.objectives import Metric, Objective
from avec.journal.models import utcnow

#: Categories of AI errors, with their French wording.
ERROR_CATEGORIES: dict[str, str] = {
    "information_fausse": "information fausse ou inventée",
    "dose_erronee": "dose ou posologie erronée",
    "medicament_errone": "médicament erroné ou inexistant",
    "reference_inventee": "référence bibliographique inventée",
    "omission": "oubli d'une information importante",
    "contresens_source": "contresens par rapport au document source",
    "recommandation_depassee": "recommandation dépassée",
    "biais": "biais ou propos discriminatoire",
    "ton_inadapte": "ton ou niveau de langue inadapté",
    "autre": "autre",
}

#: Severities, mildest first, with their French wording.
SEVERITIES: dict[str, str] = {
    "faible": "faible : sans conséquence possible",
    "moderee": "modérée : aurait pu gêner la prise en charge",
    "grave": "grave : aurait pu nuire au patient",
    "critique": "critique : danger immédiat pour le patient",
}

#: Who caught the error.
DETECTED_BY: dict[str, str] = {
    "verification_avec": "vérification automatique d'AVEC",
    "relecture": "relecture du professionnel",
    "collegue": "un collègue",
    "apres_usage": "après usage du document",
}

MAX_LESSON_CHARS = 600
_CODE = re.compile(r"[a-z0-9_\-\.]{1,64}", re.IGNORECASE)

#: A screen returns True when a text contains something identifying.
Screen = Callable[[str], bool]


class RegisterError(ValueError):
    """A report, lesson or objective was refused (French message, never the refused text)."""


def _code(value: str, what: str) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise RegisterError(f"{what} invalide : un code court est attendu")
    return value


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """A reported AI error (input and output of the register)."""

    system_id: str
    task: str
    category: str
    severity: str
    detected_by: str = "relecture"
    reached_patient: bool = False
    user_id: int | None = None
    team: str | None = None
    interaction_id: int | None = None
    created_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        _code(self.system_id, "système")
        _code(self.task, "tâche")
        if self.category not in ERROR_CATEGORIES:
            raise RegisterError("catégorie d'erreur inconnue")
        if self.severity not in SEVERITIES:
            raise RegisterError("gravité inconnue (faible, moderee, grave ou critique)")
        if self.detected_by not in DETECTED_BY:
            raise RegisterError("origine de la détection inconnue")
        if self.team is not None:
            _code(self.team, "équipe")


@dataclass(frozen=True, slots=True)
class SharedLesson:
    """A lesson shared with the team."""

    text: str
    created_at: datetime
    task: str | None = None
    team: str | None = None
    id: int | None = None


def default_screen(text: str) -> bool:
    """True when AVEC's protection pipeline finds any identifier in ``text``."""
    from avec.protect.pipeline import default_pipeline

    return bool(default_pipeline().detect(text))


class Register:
    """Reads and writes the AI-error register, lessons and objectives.

    Args:
        engine: a migrated journal engine.
        screen: identifier screen for lessons; AVEC's protection pipeline by default.
    """

    def __init__(self, engine: Engine, screen: Screen | None = None) -> None:
        self.engine = engine
        self._screen = screen or default_screen

    def report_error(self, report: ErrorReport, *, at: datetime | None = None) -> int:
        """Store a reported AI error; returns its id."""
        row = AiErrorReport(
            created_at=at or report.created_at or utcnow(),
            user_id=report.user_id,
            team=report.team,
            interaction_id=report.interaction_id,
            system_id=report.system_id,
            task=report.task,
            category=report.category,
            severity=report.severity,
            detected_by=report.detected_by,
            reached_patient=report.reached_patient,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def errors(self, start: datetime, end: datetime, *, team: str | None = None) -> list[ErrorReport]:
        """Reports of ``[start, end)``, oldest first, of one team or of everyone."""
        query = select(AiErrorReport).where(AiErrorReport.created_at >= start, AiErrorReport.created_at < end)
        if team is not None:
            query = query.where(AiErrorReport.team == team)
        with Session(self.engine) as session:
            rows = session.scalars(query.order_by(AiErrorReport.created_at, AiErrorReport.id)).all()
        return [
            ErrorReport(
                r.system_id,
                r.task,
                r.category,
                r.severity,
                r.detected_by,
                r.reached_patient,
                r.user_id,
                r.team,
                r.interaction_id,
                r.created_at,
                r.id,
            )
            for r in rows
        ]

    def share_lesson(
        self,
        text: str,
        *,
        task: str | None = None,
        team: str | None = None,
        user_id: int | None = None,
        at: datetime | None = None,
    ) -> int:
        """Store a lesson after screening it; returns its id.

        Raises:
            RegisterError: empty, too long, or the screen found something identifying.
        """
        clean = " ".join(text.split())
        if not clean:
            raise RegisterError("leçon vide")
        if len(clean) > MAX_LESSON_CHARS:
            raise RegisterError(f"leçon trop longue ({MAX_LESSON_CHARS} caractères au plus)")
        if task is not None:
            _code(task, "tâche")
        if team is not None:
            _code(team, "équipe")
        if self._screen(clean):
            raise RegisterError(
                "leçon refusée : elle semble contenir une donnée identifiante (nom, date, numéro, lieu). "
                "Reformulez-la de façon générale."
            )
        row = Lesson(created_at=at or utcnow(), user_id=user_id, team=team, task=task, text=clean)
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def lessons(self, start: datetime, end: datetime, *, team: str | None = None) -> list[SharedLesson]:
        """Lessons of ``[start, end)``, oldest first."""
        query = select(Lesson).where(Lesson.created_at >= start, Lesson.created_at < end)
        if team is not None:
            query = query.where(Lesson.team == team)
        with Session(self.engine) as session:
            rows = session.scalars(query.order_by(Lesson.created_at, Lesson.id)).all()
        return [SharedLesson(r.text, r.created_at, r.task, r.team, r.id) for r in rows]

    def add_objective(self, objective: Objective) -> int:
        """Store an objective; returns its id."""
        if objective.task is not None:
            _code(objective.task, "tâche")
        if objective.team is not None:
            _code(objective.team, "équipe")
        row = ObjectiveRow(
            created_at=utcnow(),
            user_id=objective.user_id,
            team=objective.team,
            metric=objective.metric.value,
            task=objective.task,
            target=objective.target,
            baseline_minutes=objective.baseline_minutes,
            active=True,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def deactivate_objective(self, objective_id: int) -> bool:
        """Stop following an objective (kept for history); False when unknown."""
        with Session(self.engine) as session, session.begin():
            row = session.get(ObjectiveRow, objective_id)
            if row is None:
                return False
            row.active = False
            return True

    def objectives(self, *, team: str | None = None, user_id: int | None = None) -> list[Objective]:
        """Active objectives: the organisation's, ``team``'s (all teams when None) and ``user_id``'s."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(ObjectiveRow).where(ObjectiveRow.active).order_by(ObjectiveRow.id)
            ).all()
        out: list[Objective] = []
        for r in rows:
            if r.user_id is not None and r.user_id != user_id:
                continue
            if r.team is not None and team is not None and r.team != team:
                continue
            out.append(
                Objective(Metric(r.metric), r.target, r.task, r.user_id, r.team, r.baseline_minutes, r.id)
            )
        return out
