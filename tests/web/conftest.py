"""Fixtures of the web tests: a companion app on a temporary SQLite file or a PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import fake_verifier
from fastapi import FastAPI
from fastapi.testclient import TestClient

from avec.config import Settings
from avec.web import create_app


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        vault_key=None,
        vault_ttl_seconds=3600,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FastAPI]:
    """The companion with a fake verifier, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = ""  # the default: SQLite in the data folder
    else:
        base, schema = request.getfixturevalue("postgres_schema")
        from sqlalchemy import create_engine

        admin = create_engine(base)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        admin.dispose()
        # AVEC_DATABASE_URL may carry libpq options: this is how a deployment picks a schema.
        url = f"{base}?options=-csearch_path%3D{schema}"
    application = create_app(_settings(tmp_path, url), verifier=fake_verifier)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[FastAPI]:
    """The companion on SQLite only, with the fake verifier."""
    application = create_app(_settings(tmp_path, ""), verifier=fake_verifier)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A browser-like client with its own session cookie."""
    with TestClient(app) as c:
        c.get("/")
        yield c


@pytest.fixture
def sqlite_client(sqlite_app: FastAPI) -> Iterator[TestClient]:
    """A client of the SQLite-only app, session cookie set."""
    with TestClient(sqlite_app) as c:
        c.get("/")
        yield c
