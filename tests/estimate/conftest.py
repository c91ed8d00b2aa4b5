"""Fixtures of the Estimer tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from estimate_journal import Filled, fill

from avec.journal import make_engine, upgrade


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Filled]:
    """A migrated SQLite journal holding :func:`fill`'s records."""
    engine = make_engine(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    upgrade(engine)
    yield fill(engine)
    engine.dispose()
