"""Shared fixtures: journal databases on SQLite (always) and PostgreSQL (when reachable).

PostgreSQL variants use ``AVEC_TEST_POSTGRES_URL`` and a schema of their own per test, dropped
afterwards, so parallel runs on the same database never clash.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from avec.journal import make_engine, upgrade


@dataclass(frozen=True)
class Database:
    """A test database: its URL, its PostgreSQL schema (None on SQLite) and a migrated engine."""

    url: str
    schema: str | None
    engine: Engine


def _postgres_url_or_skip() -> str:
    url = os.environ.get("AVEC_TEST_POSTGRES_URL", "")
    if not url:
        pytest.skip("PostgreSQL non testé : AVEC_TEST_POSTGRES_URL n'est pas défini")
    probe = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.skip(f"PostgreSQL injoignable à AVEC_TEST_POSTGRES_URL ({type(exc).__name__})")
    finally:
        probe.dispose()
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file URL in a temporary folder."""
    return f"sqlite:///{tmp_path / 'journal.sqlite3'}"


@pytest.fixture
def postgres_schema() -> Iterator[tuple[str, str]]:
    """``(url, schema)``: a fresh schema on the test PostgreSQL, dropped after the test."""
    url = _postgres_url_or_skip()
    schema = f"avec_test_{uuid.uuid4().hex[:12]}"
    yield url, schema
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated journal database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'journal.sqlite3'}", None
    else:
        url, schema = request.getfixturevalue("postgres_schema")
    engine = make_engine(url, schema=schema)
    upgrade(engine)
    yield Database(url, schema, engine)
    engine.dispose()
