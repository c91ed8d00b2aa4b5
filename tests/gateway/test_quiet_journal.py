"""Journal records written in the gateway's quiet moments, and never lost."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from avec.gateway.records import MemoryRequestJournal, QuietJournal, RequestRecord


def _rec(n: int = 0) -> RequestRecord:
    return RequestRecord(
        created_at=datetime.now(UTC), key_id=f"poste-{n}", team=None, system_id="s", model="m", stream=False
    )


def _soon(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_a_record_waits_for_its_delay_then_is_written() -> None:
    inner = MemoryRequestJournal()
    journal = QuietJournal(inner, delay=0.3)
    journal.record(_rec())
    time.sleep(0.1)
    assert inner.records == []
    assert _soon(lambda: len(inner.records) == 1)
    journal.close()


def test_no_record_is_written_during_a_busy_step() -> None:
    inner = MemoryRequestJournal()
    journal = QuietJournal(inner, delay=0.01, max_wait=30)
    with journal.busy():
        journal.record(_rec())
        time.sleep(0.3)
        assert inner.records == []
    assert _soon(lambda: len(inner.records) == 1)
    journal.close()


def test_a_gateway_never_quiet_still_writes_after_max_wait_or_max_pending() -> None:
    inner = MemoryRequestJournal()
    journal = QuietJournal(inner, delay=0.01, max_wait=0.3)
    with journal.busy():
        journal.record(_rec())
        assert _soon(lambda: len(inner.records) == 1)
    crowded = QuietJournal(inner, delay=0.01, max_wait=30, max_pending=3)
    with crowded.busy():
        for n in range(3):
            crowded.record(_rec(n))
        assert _soon(lambda: len(inner.records) >= 2)
    journal.close()
    crowded.close()


def test_flush_and_close_write_everything_in_order() -> None:
    inner = MemoryRequestJournal()
    journal = QuietJournal(inner, delay=30, max_wait=60)
    for n in range(5):
        journal.record(_rec(n))
    assert journal.flush(5)
    assert [r.key_id for r in inner.records] == [f"poste-{n}" for n in range(5)]
    journal.record(_rec(5))  # the thread kept running after the flush
    journal.close(5)
    assert [r.key_id for r in inner.records][-1] == "poste-5"


class _Failing:
    def __init__(self) -> None:
        self.calls = 0

    def record(self, rec: RequestRecord) -> None:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("Mme Jeanne Dubois, 06 12 34 56 78")  # never logged


def test_a_failed_write_is_logged_without_content_and_the_next_ones_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inner = _Failing()
    journal = QuietJournal(inner, delay=0.01)
    with caplog.at_level(logging.WARNING, logger="avec.gateway"):
        journal.record(_rec(1))
        journal.record(_rec(2))
        assert journal.flush(5)
    assert inner.calls == 2
    assert "journal de la passerelle indisponible (RuntimeError)" in caplog.text
    assert "Dubois" not in caplog.text and "06 12" not in caplog.text
    journal.close()


class _BatchFails(MemoryRequestJournal):
    def record_many(self, recs: object) -> None:
        raise RuntimeError("Mme Jeanne Dubois, 06 12 34 56 78")  # never logged

    def record(self, rec: RequestRecord) -> None:
        if rec.key_id == "poste-2":
            raise ValueError("Dubois")
        super().record(rec)


def test_a_failed_batch_is_written_again_record_by_record(caplog: pytest.LogCaptureFixture) -> None:
    inner = _BatchFails()
    journal = QuietJournal(inner, delay=30, max_wait=60)
    with caplog.at_level(logging.WARNING, logger="avec.gateway"):
        for n in range(4):
            journal.record(_rec(n))
        assert journal.flush(5)
    journal.close()
    assert [r.key_id for r in inner.records] == ["poste-0", "poste-1", "poste-3"]
    assert "écriture groupée du journal impossible (RuntimeError)" in caplog.text
    assert "journal de la passerelle indisponible (ValueError)" in caplog.text
    assert "Dubois" not in caplog.text and "06 12" not in caplog.text
