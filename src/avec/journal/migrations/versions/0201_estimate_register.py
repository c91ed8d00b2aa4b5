"""Estimer: AI-error register, shared lessons and objectives.

Revision ID: 0201
Revises: 0101
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The models live in the estimate package; importing them registers their tables on the
# journal's metadata whenever migrations run, so schema checks compare like with like.
import avec.estimate.models  # noqa: F401

revision = "0201"
down_revision: str | None = "0101"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``ai_error_reports``, ``lessons`` and ``objectives``."""
    op.create_table(
        "ai_error_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("team", sa.String(64), nullable=True),
        sa.Column("interaction_id", sa.Integer(), sa.ForeignKey("interactions.id"), nullable=True),
        sa.Column("system_id", sa.String(64), nullable=False),
        sa.Column("task", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("detected_by", sa.String(32), nullable=False),
        sa.Column("reached_patient", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_ai_error_reports_created_at", "ai_error_reports", ["created_at"])
    op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("team", sa.String(64), nullable=True),
        sa.Column("task", sa.String(64), nullable=True),
        sa.Column("text", sa.String(600), nullable=False),
    )
    op.create_index("ix_lessons_created_at", "lessons", ["created_at"])
    op.create_table(
        "objectives",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("team", sa.String(64), nullable=True),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("task", sa.String(64), nullable=True),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("baseline_minutes", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("objectives")
    op.drop_table("lessons")
    op.drop_table("ai_error_reports")
