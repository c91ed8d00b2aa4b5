"""Gateway journal: one row per request through the OpenAI-compatible gateway.

Revision ID: 0101
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The model lives in the gateway package; importing it here registers its table on the
# journal's metadata whenever migrations run, so schema checks compare like with like.
import avec.gateway.models  # noqa: F401

revision = "0101"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``gateway_requests``."""
    op.create_table(
        "gateway_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("team", sa.String(64), nullable=True),
        sa.Column("system_id", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("task", sa.String(64), nullable=True),
        sa.Column("stream", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("replaced", sa.JSON(), nullable=False),
        sa.Column("allowed", sa.JSON(), nullable=False),
        sa.Column("blocked", sa.JSON(), nullable=False),
        sa.Column("finding_counts", sa.JSON(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("tokens_estimated", sa.Boolean(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("ttft_ms", sa.Float(), nullable=True),
        sa.Column("energy_kwh", sa.Float(), nullable=True),
        sa.Column("gwp_kgco2eq", sa.Float(), nullable=True),
        sa.Column("water_l", sa.Float(), nullable=True),
        sa.Column("impacts", sa.JSON(), nullable=True),
    )
    op.create_index("ix_gateway_requests_created_at", "gateway_requests", ["created_at"])
    op.create_index("ix_gateway_requests_system_id", "gateway_requests", ["system_id"])


def downgrade() -> None:
    """Drop ``gateway_requests``."""
    op.drop_table("gateway_requests")
