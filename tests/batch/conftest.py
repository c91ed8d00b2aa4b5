"""One small local Spark session (2 workers) shared by the batch tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A ``local[2]`` session started by :func:`avec.batch.start_session`, stopped at the end."""
    pytest.importorskip("pyspark", reason="extra « batch » absent : pip install 'avec[batch]'")
    from avec.batch import start_session

    session, owned = start_session(workers=2)
    yield session
    if owned:
        session.stop()
