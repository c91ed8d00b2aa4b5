"""SQLAlchemy 2 models of the journal: what AVEC records about use, never what was written.

Every column is a category, a count, a ratio, a duration or an identifier made by AVEC. No
column may hold request text, answer text, names or any other identifying content: the
journal can be shown to a quality team or a DPO as it is.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Enum, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and read back as aware UTC.

    SQLite keeps no time zone while PostgreSQL would convert to the session's; storing naive
    UTC everywhere gives the same values and the same comparisons on both.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("horodatage sans fuseau horaire refusé")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of every journal table."""

    type_annotation_map = {dict[str, Any]: JSON, dict[str, int]: JSON}  # noqa: RUF012


class Outcome(enum.StrEnum):
    """How an interaction ended."""

    VALIDATED = "validated"
    REJECTED = "rejected"
    ABANDONED = "abandoned"


class User(Base):
    """A local account; the companion runs without login, the gateway will attach keys to users.

    Attributes:
        api_key_hash: SHA-256 (or stronger) hash of the gateway key, never the key itself.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200), nullable=True)
    api_key_hash: Mapped[str | None] = mapped_column(String(128), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Interaction(Base):
    """One use of a GenAI system, from request to the professional's decision.

    Attributes:
        system_id: catalogue identifier of the system used.
        task: task type (``resume_cr``, ``courrier``...).
        data_categories: identifiers replaced, counted per label (``{"NOM": 2}``).
        indirect_risk: indirect-identification level (``faible``, ``modéré``, ``élevé``) or None.
        finding_counts: verification findings counted per type (``{"DOSE_OVER_MAX": 1}``).
        correction_ratio: normalised edit distance between the restored answer and the final text
            (0 = kept as is, 1 = entirely rewritten), None when there is no final text.
        duration_seconds: time from the start of the request to the decision.
        rating: ease of use, 1 (difficult) to 5 (easy), when given.
    """

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    system_id: Mapped[str] = mapped_column(String(64))
    task: Mapped[str] = mapped_column(String(64))
    data_categories: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    indirect_risk: Mapped[str | None] = mapped_column(String(16), nullable=True)
    finding_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    correction_ratio: Mapped[float | None] = mapped_column(Float, nullable=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A plain string column with a CHECK constraint: adding an outcome later needs no native
    # PostgreSQL enum migration.
    outcome: Mapped[Outcome] = mapped_column(
        Enum(
            Outcome,
            name="outcome",
            native_enum=False,
            length=16,
            create_constraint=True,
            values_callable=lambda e: [m.value for m in e],
        )
    )


class AiFreeTask(Base):
    """A task done without AI, so that practice with and without AI can be compared."""

    __tablename__ = "ai_free_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    task: Mapped[str] = mapped_column(String(64))


class VaultBlob(Base):
    """A sealed (Fernet) pseudonym mapping bound to one browser session, deleted at expiry.

    Attributes:
        session_hash: SHA-256 of the session cookie, so a stolen database row cannot be
            replayed from another browser and the cookie itself is never stored.
        blob: the encrypted conversation; unreadable without the vault key.
        meta: non-identifying progress of the flow (system, task, counts, start time).
    """

    __tablename__ = "vault_blobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), index=True)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
