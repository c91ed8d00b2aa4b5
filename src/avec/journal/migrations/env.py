"""Alembic environment: always run with a connection given by :func:`avec.journal.db.upgrade`."""

from __future__ import annotations

from alembic import context

from avec.journal.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("utilisez avec.journal.db.upgrade() pour migrer la base")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most columns: batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()
