"""Gateway journal rows and database vault store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from gwfixtures import PROMPT, leaks
from sqlalchemy import event, select, text

from avec.config import Settings
from avec.gateway.auth import Principal
from avec.gateway.conversations import Conversations, DatabaseBlobStore, MemoryBlobStore
from avec.gateway.models import GatewayRequest
from avec.gateway.records import QuietJournal, RequestRecord, SqlRequestJournal
from avec.journal.models import Base
from avec.protect.api import protect


def test_schema_matches_models(database: Any) -> None:
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_request_row_round_trip_without_text(database: Any) -> None:
    journal = SqlRequestJournal(database.engine)
    rec = RequestRecord(
        created_at=datetime.now(UTC),
        key_id="poste-1",
        team="urgences",
        system_id="cloud",
        model="mistral-small-latest",
        stream=True,
        task="resume_cr",
        replaced={"NOM": 2, "SECU": 1},
        finding_counts={"DOSE_OVER_MAX": 1},
        prompt_tokens=500,
        completion_tokens=120,
        latency_ms=850.0,
        ttft_ms=120.0,
        provider="mistralai",
        ecologits_model="mistral-small-latest",
    )
    rec.task = "not a code: Jeanne Dubois"  # free text is never journaled
    journal.record(rec)
    with database.engine.connect() as conn:
        row = conn.execute(select(GatewayRequest.__table__)).mappings().one()
        dump = " ".join(str(v) for r in conn.execute(text("SELECT * FROM gateway_requests")) for v in r)
    assert row["replaced"] == {"NOM": 2, "SECU": 1} and row["task"] is None
    assert row["completion_tokens"] == 120 and row["energy_kwh"] > 0 and row["gwp_kgco2eq"] > 0
    assert row["impacts"]["input_tokens"] == 500
    assert "Dubois" not in dump and leaks([dump]) == []


def test_records_waiting_together_are_written_in_one_transaction(database: Any) -> None:
    commits: list[int] = []
    event.listen(database.engine, "commit", lambda conn: commits.append(1))
    journal = QuietJournal(SqlRequestJournal(database.engine), delay=30, max_wait=60)
    for n in range(6):
        journal.record(
            RequestRecord(
                created_at=datetime.now(UTC),
                key_id=f"poste-{n}",
                team=None,
                system_id="cloud",
                model="m",
                stream=False,
                completion_tokens=10 + n,
                latency_ms=500.0,
                provider="mistralai",
                ecologits_model="mistral-small-latest",
            )
        )
    assert journal.flush(10)
    journal.close()
    with database.engine.connect() as conn:
        rows = conn.execute(select(GatewayRequest.key_id, GatewayRequest.energy_kwh)).all()
    assert sorted(r.key_id for r in rows) == [f"poste-{n}" for n in range(6)]
    assert all(r.energy_kwh > 0 for r in rows)
    assert len(commits) == 1


def test_conversations_survive_in_the_database_and_stay_sealed(database: Any) -> None:
    key = Fernet.generate_key()
    settings = Settings(vault_key=key.decode())
    convs = Conversations(DatabaseBlobStore(database.engine, 3600), key, settings)
    who = Principal("poste-1")
    skey, owner = convs.storage_key(who, "conversation-de-suivi-42"), convs.owner(who)
    conv = convs.load(skey, owner)
    first = protect(PROMPT, conv).text
    convs.save(skey, owner, conv)
    # The stored id is a keyed hash: the client's conversation name (long enough that a hex
    # digest cannot contain it by chance) never reaches the database.
    # Another replica: a new Conversations object on the same database.
    other = Conversations(DatabaseBlobStore(database.engine, 3600), key, settings)
    again = protect(PROMPT, other.load(skey, owner)).text
    assert again == first
    assert len(other.load(skey, other.owner(Principal("poste-2"))).vault) == 0
    with database.engine.connect() as conn:
        blob = conn.execute(text("SELECT blob, id FROM vault_blobs")).one()
    sealed = bytes(blob[0]).decode("latin-1")
    # Random base64 may contain short digit runs: only names are looked for in the sealed blob.
    assert not any(name in sealed for name in ("Abgrall", "Quéméner", "Quemener", "Lilas", "Nantes"))
    assert leaks([blob[1]]) == [] and "conversation-de-suivi-42" not in blob[1]


def test_an_expired_conversation_is_not_loaded_and_a_new_one_takes_its_place(database: Any) -> None:
    import time

    store = DatabaseBlobStore(database.engine, 1)
    store.save("gw-k", "owner", b"old", None)
    assert store.load("gw-k", "owner") == b"old"
    assert store.load("gw-k", "someone else") is None
    time.sleep(1.1)
    assert store.load("gw-k", "owner") is None  # expired, though the periodic purge has not run
    store.save("gw-k", "owner", b"new", None)  # a new conversation under the same name
    assert store.load("gw-k", "owner") == b"new"
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM vault_blobs")).scalar() == 1


def test_memory_store_expires_and_binds_owner() -> None:
    now = [0.0]
    store = MemoryBlobStore(ttl_seconds=10, clock=lambda: now[0])
    store.save("k", "owner", b"x")
    store.save("k", "intruder", b"y")
    assert store.load("k", "owner") == b"x" and store.load("k", "intruder") is None
    now[0] = 11
    assert store.load("k", "owner") is None and len(store) == 0
