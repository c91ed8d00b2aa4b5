"""Alembic migrations of the journal (run through ``avec.journal.db.upgrade``)."""
