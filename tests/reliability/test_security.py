"""Security limits of the gateway: rate limits, body size and depth, the vault key, expiry, races."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from relharness import KEY, PROMPT, Harness, leaks

from avec.config import Settings
from avec.gateway.auth import Principal
from avec.gateway.config import parse_config
from avec.gateway.conversations import (
    Conversations,
    DatabaseBlobStore,
    MemoryBlobStore,
    StoreConflictError,
)
from avec.gateway.ratelimit import RateLimiter
from avec.protect.api import protect


def test_rate_limit_per_key_answers_429_in_french(tmp_path: Path) -> None:
    # One token a minute: the first request may load the models for seconds, and must not
    # give the bucket time to refill.
    h = Harness(tmp_path, options={"rate_limit_per_minute": 1, "rate_limit_burst": 2})
    app = h.app()
    codes = [h.post(app=app).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    r = h.post(app=app)
    err = r.json()["error"]
    assert err["code"] == "avec_rate_limited" and err["type"] == "rate_limit_error"
    assert "Trop de requêtes" in err["message"] and int(r.headers["Retry-After"]) >= 1
    assert len(h.sent) == 2  # refused requests never reach the upstream


def test_token_bucket_refills_and_keys_are_independent() -> None:
    now = [0.0]
    cfg = parse_config(
        {
            "systems": [{"id": "s", "base_url": "http://x/v1", "models": ["m"]}],
            "keys": [
                {"id": "a", "sha256": "a" * 64},
                {"id": "b", "sha256": "b" * 64, "rate_limit_per_minute": 0},
            ],
            "options": {"rate_limit_per_minute": 6, "rate_limit_burst": 1},
        }
    )
    limiter = RateLimiter(cfg, clock=lambda: now[0])
    limiter.check(Principal("a"))
    with pytest.raises(Exception, match="Trop de requêtes"):
        limiter.check(Principal("a"))
    for _ in range(50):
        limiter.check(Principal("b"))  # its own setting: unlimited
    now[0] += 10.0  # 6 per minute: one token every 10 s
    limiter.check(Principal("a"))


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b'{"model": "m", "messages": [' + b'{"role": "user", "content": "x"},' * 40_000 + b"]}", 413, None),
        (b'{"model": "m", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", 400, "avec_json_too_deep"),
        (b'{"model": "m", "x": ' + b"[" * 40 + b"]" * 40 + b"}", 400, "avec_json_too_deep"),
        (b"\xff\xfe{not utf-8", 400, "avec_invalid_json"),
    ],
    ids=["too-large", "deep-overflow", "deep", "invalid-utf8"],
)
def test_body_limits(tmp_path: Path, raw: bytes, status: int, code: str | None) -> None:
    h = Harness(tmp_path, options={"max_body_bytes": 1_000_000})
    app = h.app()

    async def send(chunked: bool) -> httpx.Response:
        async def body() -> Any:
            for i in range(0, len(raw), 65536):
                yield raw[i : i + 65536]

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
            return await c.post(
                "/v1/chat/completions",
                content=body() if chunked else raw,
                headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
            )

    import asyncio

    for chunked in (False, True):  # with and without Content-Length
        r = asyncio.run(send(chunked))
        assert r.status_code == status, r.text
        if code:
            assert r.json()["error"]["code"] == code
    assert h.sent == []


def test_deep_tool_arguments_are_protected_as_text(tmp_path: Path) -> None:
    args = "[" * 5000 + json.dumps(PROMPT) + "]" * 5000
    h = Harness(tmp_path)
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "bonjour"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": args}}],
            },
            {"role": "tool", "tool_call_id": "c", "content": "ok"},
        ],
    }
    assert h.post(body).status_code == 200
    assert leaks(h.sent_texts()) == []


def test_vault_key_is_never_logged_nor_shown(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    h = Harness(tmp_path)
    app = h.app()
    state = app.state.avec_gateway
    secret = state.settings.vault_key.get_secret_value()
    for body in (None, {"model": "m", "stream": True, "messages": [{"role": "user", "content": PROMPT}]}):
        assert h.post(body, app=app).status_code == 200
    h.post({"model": "m", "messages": "pas une liste"}, app=app)
    shown = caplog.text + repr(state.settings) + str(state.settings.model_dump()) + repr(state)
    assert secret not in shown and secret[:16] not in shown
    assert leaks([caplog.text]) == []


def test_expired_mappings_are_purged_from_memory_and_database(tmp_path: Path, database: Any) -> None:
    now = [1000.0]
    memory = MemoryBlobStore(ttl_seconds=10, clock=lambda: now[0])
    memory.save("k1", "o", b"x")
    memory.save("k2", "o", b"y")
    now[0] += 11
    assert memory.purge() == 2 and len(memory) == 0

    key = b"Vh2Ht2Yp0lq6Zt7Q6o0HkqH0aM0C9yN8S4m3zB6lHjo="
    settings = Settings(vault_key=key.decode(), vault_ttl_seconds=1)
    store = DatabaseBlobStore(database.engine, 1)
    convs = Conversations(store, key, settings)
    who = Principal("poste-1")
    skey, owner = convs.storage_key(who, "c"), convs.owner(who)
    conv, previous = convs.load_versioned(skey, owner)
    protect(PROMPT, conv, settings=settings)
    convs.save(skey, owner, conv, previous)
    import time

    time.sleep(1.2)
    assert store.purge() == 1
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM vault_blobs").scalar() == 0


def test_concurrent_saves_conflict_instead_of_losing_mappings(database: Any) -> None:
    """Two replicas loaded the same version: the second save must fail, not overwrite."""
    key = b"Vh2Ht2Yp0lq6Zt7Q6o0HkqH0aM0C9yN8S4m3zB6lHjo="
    settings = Settings(vault_key=key.decode())
    one = Conversations(DatabaseBlobStore(database.engine, 3600), key, settings)
    two = Conversations(DatabaseBlobStore(database.engine, 3600), key, settings)
    who = Principal("poste-1")
    skey, owner = one.storage_key(who, "c"), one.owner(who)
    a, va = one.load_versioned(skey, owner)
    b, vb = two.load_versioned(skey, owner)
    one.save(skey, owner, a, va)
    with pytest.raises(StoreConflictError):
        two.save(skey, owner, b, vb)  # insert race
    a, va = one.load_versioned(skey, owner)
    b, vb = two.load_versioned(skey, owner)
    protect("Mme Maëlys Quéméner", a, settings=settings)
    one.save(skey, owner, a, va)
    with pytest.raises(StoreConflictError):
        two.save(skey, owner, b, vb)  # update race
    reloaded, _ = two.load_versioned(skey, owner)
    assert len(reloaded.vault) == len(a.vault) > 0
