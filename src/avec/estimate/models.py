"""Journal tables owned by Estimer: AI-error register, shared lessons, objectives.

Declared on the journal's declarative base so that migrations and schema checks know them;
created by the migration ``0201_estimate_register``. No column holds patient data: an error
report is a set of codes, a lesson is a short general text screened for identifiers before
it is stored (see :mod:`avec.estimate.register`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from avec.journal.models import Base, UTCDateTime, utcnow


class AiErrorReport(Base):
    """A wrong or dangerous AI answer reported by a professional.

    Attributes:
        system_id: catalogue identifier of the system that answered.
        task: task code of the request.
        category: what was wrong (a code of :data:`avec.estimate.register.ERROR_CATEGORIES`).
        severity: how serious it could have been (a code of :data:`SEVERITIES`).
        detected_by: who caught it (AVEC's verification, the professional's review, later).
        reached_patient: whether the error reached the patient before being caught.
        interaction_id: the journal interaction it belongs to, when known.
    """

    __tablename__ = "ai_error_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"), nullable=True)
    system_id: Mapped[str] = mapped_column(String(64))
    task: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    detected_by: Mapped[str] = mapped_column(String(32))
    reached_patient: Mapped[bool] = mapped_column(Boolean, default=False)


class Lesson(Base):
    """A lesson a professional shares with the team (short, general, screened text)."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    task: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text: Mapped[str] = mapped_column(String(600))


class ObjectiveRow(Base):
    """An objective of a user or a team (see :class:`avec.estimate.objectives.Objective`)."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    metric: Mapped[str] = mapped_column(String(32))
    task: Mapped[str | None] = mapped_column(String(64), nullable=True)
    target: Mapped[float] = mapped_column(Float)
    baseline_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
