"""The Alembic migration matches the SQLAlchemy models, on SQLite and PostgreSQL; SQLite's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from avec.journal.models import Base

if TYPE_CHECKING:
    from conftest import Database  # the shared fixture's type (tests/conftest.py)


def test_models_and_migration_agree(database: Database) -> None:
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


_UPGRADE_AT = """
import sys, time
from avec.journal import make_engine, upgrade
engine = make_engine(sys.argv[1], schema=sys.argv[2])
time.sleep(max(0.0, float(sys.argv[3]) - time.time()))  # every process starts migrating together
upgrade(engine)
"""


def test_replicas_migrating_one_empty_schema_together_all_succeed(
    postgres_schema: tuple[str, str],
) -> None:
    """Four replica processes upgrade a fresh schema at the same moment: none fails."""
    import subprocess
    import sys
    import time

    from sqlalchemy import inspect

    from avec.journal import make_engine

    url, schema = postgres_schema
    at = str(time.time() + 4)
    procs = [
        subprocess.Popen([sys.executable, "-c", _UPGRADE_AT, url, schema, at], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outcomes = [(p.communicate(timeout=90)[1], p.returncode) for p in procs]
    assert [err.decode()[-300:] for err, code in outcomes if code != 0] == []
    engine = make_engine(url, schema=schema)
    assert "alembic_version" in inspect(engine).get_table_names()
    engine.dispose()


def test_sqlite_journal_is_wal_with_foreign_keys_and_syncs_at_checkpoints(sqlite_url: str) -> None:
    from avec.journal import make_engine

    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    engine.dispose()
    assert (mode, keys, sync) == ("wal", 1, 1)  # synchronous 1 is NORMAL (2, FULL, is the default)
