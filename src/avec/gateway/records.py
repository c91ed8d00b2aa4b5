"""Journal entries of the gateway: one per request, categories, counts and measures only.

:class:`RequestRecord` has no field that could carry request or answer text. Impacts are
computed here, after the answer has been sent, so EcoLogits never adds latency.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from avec.impact import estimate

_log = logging.getLogger("avec.gateway")
_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def code_or_none(value: object) -> str | None:
    """``value`` if it is a short code (task ids, labels), else None: free text is never journaled."""
    return value if isinstance(value, str) and _CODE.fullmatch(value) else None


@dataclass
class RequestRecord:
    """What the journal keeps about one request (see :class:`avec.gateway.models.GatewayRequest`)."""

    created_at: datetime
    key_id: str
    team: str | None
    system_id: str
    model: str
    stream: bool
    status: str = "ok"
    task: str | None = None
    error_code: str | None = None
    replaced: Mapping[str, int] = field(default_factory=dict)
    allowed: Mapping[str, int] = field(default_factory=dict)
    blocked: Mapping[str, int] = field(default_factory=dict)
    finding_counts: Mapping[str, int] = field(default_factory=dict)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tokens_estimated: bool = False
    latency_ms: float = 0.0
    ttft_ms: float | None = None
    provider: str = ""
    ecologits_model: str = ""
    mix: str = "FRA"
    impacts: dict[str, Any] | None = None

    def compute_impacts(self) -> None:
        """Fill :attr:`impacts` with EcoLogits (output tokens only; input tokens recorded apart)."""
        if self.impacts is not None or not self.completion_tokens:
            return
        got = estimate(
            self.provider,
            self.ecologits_model,
            output_tokens=self.completion_tokens,
            latency_seconds=self.latency_ms / 1000,
            input_tokens=self.prompt_tokens or 0,
            mix=self.mix,
        )
        self.impacts = got.to_dict() if got is not None else None


class RequestJournal(Protocol):
    """Where request records go.

    A journal may also offer ``record_many(recs)``, writing several records at once (one
    transaction): :func:`record_all` uses it when present.
    """

    def record(self, rec: RequestRecord) -> None:
        """Store one record."""


class MemoryRequestJournal:
    """Records kept in a list (tests, or no database)."""

    def __init__(self) -> None:
        self.records: list[RequestRecord] = []
        self._lock = threading.Lock()

    def record(self, rec: RequestRecord) -> None:
        rec.compute_impacts()
        with self._lock:
            self.records.append(rec)


def _counts(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if code_or_none(k) and int(v) > 0}


class SqlRequestJournal:
    """Records in the journal database (table ``gateway_requests``).

    Args:
        engine: a migrated journal engine.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, rec: RequestRecord) -> None:
        self.record_many([rec])

    def record_many(self, recs: Sequence[RequestRecord]) -> None:
        """Insert ``recs`` in one transaction (all or none)."""
        from sqlalchemy import insert

        from avec.gateway.models import GatewayRequest

        rows = [self._row(rec) for rec in recs]
        # A plain INSERT of every row at once: the ORM's unit of work cost more than the write
        # itself, and one commit per record cost more than the INSERT.
        with self._engine.begin() as conn:
            conn.execute(insert(GatewayRequest), rows)

    @staticmethod
    def _row(rec: RequestRecord) -> dict[str, Any]:
        rec.compute_impacts()
        imp = rec.impacts or {}
        return dict(
            created_at=rec.created_at,
            key_id=rec.key_id[:64],
            team=code_or_none(rec.team),
            system_id=rec.system_id,
            model=rec.model[:128],
            task=code_or_none(rec.task),
            stream=rec.stream,
            status=rec.status,
            error_code=code_or_none(rec.error_code),
            replaced=_counts(rec.replaced),
            allowed=_counts(rec.allowed),
            blocked=_counts(rec.blocked),
            finding_counts=_counts(rec.finding_counts),
            prompt_tokens=rec.prompt_tokens,
            completion_tokens=rec.completion_tokens,
            tokens_estimated=rec.tokens_estimated,
            latency_ms=rec.latency_ms,
            ttft_ms=rec.ttft_ms,
            energy_kwh=imp.get("energy_kwh"),
            gwp_kgco2eq=imp.get("gwp_kgco2eq"),
            water_l=imp.get("water_l"),
            impacts={k: v for k, v in imp.items() if k != "note"} or None,
        )


def safe_record(journal: RequestJournal, rec: RequestRecord) -> None:
    """Record, logging a failure without any content (the answer has already been sent)."""
    try:
        journal.record(rec)
    except Exception as exc:
        _log.warning("journal de la passerelle indisponible (%s)", type(exc).__name__)


def record_all(journal: RequestJournal, recs: Sequence[RequestRecord]) -> None:
    """Store ``recs``: at once when ``journal`` can (``record_many``), else one by one.

    Nothing is lost to one bad record: when a batch fails, its records are written again one
    by one, each failure logged without content.
    """
    many = getattr(journal, "record_many", None)
    if many is not None and len(recs) > 1:
        try:
            many(recs)
            return
        except Exception as exc:
            _log.warning("écriture groupée du journal impossible (%s)", type(exc).__name__)
    for rec in recs:
        safe_record(journal, rec)


class QuietJournal:
    """Writes records in a background thread, in the moments the gateway is not protecting.

    A record costs about a millisecond of Python (EcoLogits, then the INSERT): written as soon
    as an answer leaves, it ran beside the protection of the next request, which waits for the
    interpreter, and added to that request's latency. Here a record waits at least ``delay``
    and until no request is in a marked step (:meth:`busy`); it waits no longer than
    ``max_wait``, nor once ``max_pending`` records are waiting, so a gateway busy without pause
    still writes everything. Records that waited together are written together (one
    transaction). :meth:`close` (at shutdown) writes what is left.

    Args:
        inner: where the records are written.
    """

    def __init__(
        self,
        inner: RequestJournal,
        *,
        delay: float = 0.05,
        max_wait: float = 2.0,
        max_pending: int = 1000,
    ) -> None:
        self.inner = inner
        self._delay, self._max_wait, self._max_pending = delay, max_wait, max_pending
        self._pending: deque[tuple[float, RequestRecord]] = deque()
        self._busy = 0
        self._writing = False
        self._flushing = 0  # callers waiting in flush(): write without waiting for quiet
        self._closing = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def record(self, rec: RequestRecord) -> None:
        """Queue ``rec`` (never blocks, never raises)."""
        with self._cond:
            self._pending.append((time.monotonic(), rec))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="avec-journal", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Mark a step whose latency a professional waits on: no record is written meanwhile."""
        with self._cond:
            self._busy += 1
        try:
            yield
        finally:
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued record is written; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()
            try:
                while self._pending or self._writing:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(left)
                return True
            finally:
                self._flushing -= 1

    def close(self, timeout: float = 10.0) -> None:
        """Write what is left, then stop the thread (shutdown)."""
        self.flush(timeout)
        with self._cond:
            self._closing = True
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None:
            thread.join(timeout)

    def _next(self) -> list[RequestRecord] | None:
        """The records to write now, oldest first, once they may be; None when closing with
        nothing left. Every record waiting goes in one batch: one transaction for all."""
        with self._cond:
            while True:
                if not self._pending:
                    if self._closing:
                        return None
                    self._cond.wait()
                    continue
                age = time.monotonic() - self._pending[0][0]
                if (
                    self._closing
                    or self._flushing
                    or age >= self._max_wait
                    or len(self._pending) >= self._max_pending
                    or (self._busy == 0 and age >= self._delay)
                ):
                    self._writing = True
                    batch = [rec for _, rec in self._pending]
                    self._pending.clear()
                    return batch
                # Woken by a new record, the end of a busy step, or the time left to wait.
                self._cond.wait(max(self._delay - age, 0.001) if self._busy == 0 else self._max_wait - age)

    def _run(self) -> None:
        while (batch := self._next()) is not None:
            record_all(self.inner, batch)
            with self._cond:
                self._writing = False
                self._cond.notify_all()
