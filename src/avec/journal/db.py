"""Engines, sessions and migrations of the journal database (SQLite or PostgreSQL).

Alembic is configured in code (no ``alembic.ini`` to find at run time), so ``avec serve`` and
the tests bring any database to the latest schema with :func:`upgrade`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

_MIGRATIONS = Path(__file__).parent / "migrations"
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class JournalError(RuntimeError):
    """The journal database cannot be used; the French message holds no user text."""


def make_engine(url: str, *, schema: str | None = None) -> Engine:
    """An engine for ``url``, creating the SQLite folder when needed.

    Args:
        url: SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``).
        schema: PostgreSQL schema to work in (created if missing); lets tests and several
            installations share one database without clashing.

    Raises:
        JournalError: invalid URL or schema name.
    """
    try:
        parsed = make_url(url)
    except Exception:  # the URL may hold a password: never echo it
        raise JournalError("adresse de base de données invalide (AVEC_DATABASE_URL)") from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # uvicorn may serve requests from a thread pool.
        kwargs["connect_args"] = {"check_same_thread": False}
    elif schema is not None:
        if not _SCHEMA_NAME.fullmatch(schema):
            raise JournalError("nom de schéma invalide")
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    # A file has no connection to lose: the ping would only add a query to every write.
    engine = create_engine(url, pool_pre_ping=parsed.get_backend_name() != "sqlite", **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif schema is not None:
        with engine.begin() as conn:
            _one_at_a_time(conn)
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    return engine


#: PostgreSQL advisory lock taken while creating schemas and migrating ("AVEC" in ASCII).
MIGRATION_LOCK = 0x41564543


def _one_at_a_time(conn: Connection) -> None:
    # Replicas starting together would race on the same DDL (one fails on a duplicate table):
    # on PostgreSQL they queue on a transaction-scoped lock, and the later ones find the schema
    # already there. SQLite serialises writers itself.
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the history page read during a write.
    # In WAL mode, NORMAL syncs at checkpoints instead of every commit: the file stays
    # consistent whatever happens, and only a power cut may lose the last commits (journal
    # rows, a conversation's latest mappings). Every commit's fsync cost more than its write.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` on ``engine``'s database.

    Raises:
        JournalError: the database is unreachable or the migration failed.
    """
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            _one_at_a_time(conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except Exception as exc:
        raise JournalError(f"mise à jour de la base impossible ({type(exc).__name__})") from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
