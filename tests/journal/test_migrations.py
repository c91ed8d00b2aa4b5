"""The Alembic migration matches the SQLAlchemy models, on SQLite and PostgreSQL."""

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
