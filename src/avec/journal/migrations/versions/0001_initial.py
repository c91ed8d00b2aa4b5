"""Initial journal: users, interactions, AI-free tasks, session-bound vault blobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the four tables."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("team", sa.String(200), nullable=True),
        sa.Column("api_key_hash", sa.String(128), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "interactions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("system_id", sa.String(64), nullable=False),
        sa.Column("task", sa.String(64), nullable=False),
        sa.Column("data_categories", sa.JSON(), nullable=False),
        sa.Column("indirect_risk", sa.String(16), nullable=True),
        sa.Column("finding_counts", sa.JSON(), nullable=False),
        sa.Column("correction_ratio", sa.Float(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "validated",
                "rejected",
                "abandoned",
                name="outcome",
                native_enum=False,
                length=16,
                create_constraint=True,
            ),
            nullable=False,
        ),
    )
    op.create_index("ix_interactions_created_at", "interactions", ["created_at"])
    op.create_table(
        "ai_free_tasks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("task", sa.String(64), nullable=False),
    )
    op.create_index("ix_ai_free_tasks_created_at", "ai_free_tasks", ["created_at"])
    op.create_table(
        "vault_blobs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("session_hash", sa.String(64), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_vault_blobs_session_hash", "vault_blobs", ["session_hash"])
    op.create_index("ix_vault_blobs_expires_at", "vault_blobs", ["expires_at"])


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("vault_blobs")
    op.drop_table("ai_free_tasks")
    op.drop_table("interactions")
    op.drop_table("users")
