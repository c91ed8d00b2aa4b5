"""Journal entries of the gateway: one per request, categories, counts and measures only.

:class:`RequestRecord` has no field that could carry request or answer text. Impacts are
computed here, after the answer has been sent, so EcoLogits never adds latency.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
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
    """Where request records go."""

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
        from sqlalchemy import insert

        from avec.gateway.models import GatewayRequest

        rec.compute_impacts()
        imp = rec.impacts or {}
        row = dict(
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
        # A plain INSERT: the ORM's unit of work cost more than the write itself, and it runs
        # beside the next request.
        with self._engine.begin() as conn:
            conn.execute(insert(GatewayRequest), [row])


def safe_record(journal: RequestJournal, rec: RequestRecord) -> None:
    """Record, logging a failure without any content (the answer has already been sent)."""
    try:
        journal.record(rec)
    except Exception as exc:
        _log.warning("journal de la passerelle indisponible (%s)", type(exc).__name__)
