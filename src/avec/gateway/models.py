"""The journal table of gateway requests (counts and measures only, never text).

Declared on the journal's declarative base so that its metadata (and the migration check)
knows it; created by the migration ``0101_gateway_requests``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from avec.journal.models import Base, UTCDateTime, utcnow


class GatewayRequest(Base):
    """One request through the gateway.

    Attributes:
        key_id: id of the client key (from the configuration), never the key.
        team: team of the key, if any.
        system_id: catalogue identifier of the upstream system.
        model: model id the client asked for.
        task: task code from the ``X-AVEC-Task`` header, if given.
        status: ``ok``, ``blocked`` (policy refusal) or ``error``.
        error_code: machine code of the error, if any.
        replaced, allowed, blocked: identifiers per data category (label -> count).
        finding_counts: verification findings per type.
        prompt_tokens, completion_tokens: from the upstream's usage, else estimated.
        tokens_estimated: True when the upstream gave no usage.
        latency_ms: from request arrival to the last byte sent.
        ttft_ms: time to the first revealed content byte (streams).
        energy_kwh, gwp_kgco2eq, water_l: EcoLogits impacts of the output tokens (a lower
            bound: input tokens are recorded, not converted).
        impacts: the full EcoLogits figures (ranges, mix).
    """

    __tablename__ = "gateway_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    key_id: Mapped[str] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    system_id: Mapped[str] = mapped_column(String(64), index=True)
    model: Mapped[str] = mapped_column(String(128))
    task: Mapped[str | None] = mapped_column(String(64), nullable=True)
    stream: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    replaced: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    allowed: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    blocked: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    finding_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    completion_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tokens_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    latency_ms: Mapped[float] = mapped_column(Float)
    ttft_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    energy_kwh: Mapped[float | None] = mapped_column(Float, nullable=True)
    gwp_kgco2eq: Mapped[float | None] = mapped_column(Float, nullable=True)
    water_l: Mapped[float | None] = mapped_column(Float, nullable=True)
    impacts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
