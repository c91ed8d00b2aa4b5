"""Two gateway processes on one PostgreSQL: a conversation keeps its surrogates across replicas.

Each replica is a real ``uvicorn`` server process (``avec gateway serve``) on its own port, with
``vault_store: database`` on a fresh PostgreSQL schema and the same ``AVEC_VAULT_KEY``. The
upstream is a recording stand-in served in this process. Skipped, with the reason, when
``AVEC_TEST_POSTGRES_URL`` is unset or unreachable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cryptography.fernet import Fernet
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import create_engine

from avec.gateway import hash_key

pytestmark = pytest.mark.slow

KEY = "avec-replica-key"
FIRST = "Patiente Mme Maëlys Quéméner, née le 12/03/1954, tél. 06 12 34 56 78. Résumez."
SECOND = "Merci. Rappelez que Mme Quéméner doit revenir dans un mois."


def _upstream(bodies: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        bodies.append(body)
        text = "Écho : " + body["messages"][-1]["content"]
        return JSONResponse(
            {
                "id": "c",
                "object": "chat.completion",
                "created": 1,
                "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
            }
        )

    return app


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def upstream() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    import uvicorn

    bodies: list[dict[str, Any]] = []
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(_upstream(bodies), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", bodies
    server.should_exit = True
    thread.join(timeout=10)


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
            pytest.fail(f"la réplique s'est arrêtée au démarrage : {out[-2000:]}")
        try:
            httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {KEY}"}, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    pytest.fail("la réplique n'a pas démarré à temps")


def _ask(url: str, messages: list[dict[str, str]]) -> str:
    r = httpx.post(
        f"{url}/v1/chat/completions",
        json={"model": "m", "messages": messages},
        headers={"Authorization": f"Bearer {KEY}", "X-AVEC-Conversation": "dossier-replicas"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return str(r.json()["choices"][0]["message"]["content"])


@contextmanager
def _servers(
    tmp_path: Path, config: dict[str, Any], base: str, schema: str, extra_args: list[list[str]]
) -> Iterator[list[str]]:
    """``avec gateway serve`` processes (one per item of ``extra_args``) on one PostgreSQL schema."""
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    admin.dispose()
    path = tmp_path / "passerelle.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {
        **os.environ,
        "AVEC_DATABASE_URL": f"{base}?options=-csearch_path%3D{schema}",
        "AVEC_VAULT_KEY": Fernet.generate_key().decode(),
        "AVEC_DATA_DIR": str(tmp_path / "data"),
    }
    avec = (
        [sys.executable, "-m", "avec.cli"]
        if not Path(sys.executable).with_name("avec").exists()
        else [str(Path(sys.executable).with_name("avec"))]
    )
    ports = [_free_port() for _ in extra_args]
    procs = [
        subprocess.Popen(
            [*avec, "gateway", "serve", "--config", str(path), "--port", str(port), *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for port, extra in zip(ports, extra_args, strict=True)
    ]
    try:
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        for url, proc in zip(urls, procs, strict=True):
            _wait(url, proc)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            if proc.stdout:
                proc.stdout.close()


def _replica_config(upstream_url: str) -> dict[str, Any]:
    """A gateway keeping its conversations in the shared database."""
    return {
        "systems": [{"id": "cloud", "base_url": f"{upstream_url}/v1", "models": ["m"]}],
        "keys": [{"id": "poste-1", "sha256": hash_key(KEY)}],
        "options": {"vault_store": "database", "verify": False},
    }


def test_conversation_continues_on_another_replica(
    postgres_schema: tuple[str, str], upstream: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    base, schema = postgres_schema
    upstream_url, bodies = upstream
    config = _replica_config(upstream_url)
    with _servers(tmp_path, config, base, schema, [[], []]) as urls:
        history = [{"role": "user", "content": FIRST}]
        first = _ask(urls[0], history)
        assert first == "Écho : " + FIRST
        history += [{"role": "assistant", "content": first}, {"role": "user", "content": SECOND}]
        second = _ask(urls[1], history)  # the other replica
        assert second == "Écho : " + SECOND
    assert len(bodies) == 2
    sent_first = bodies[0]["messages"][0]["content"]
    sent_again = bodies[1]["messages"][0]["content"]
    assert sent_first == sent_again  # same surrogates on the second replica
    assert "Quéméner" not in json.dumps(bodies, ensure_ascii=False)
    assert "Maëlys" not in json.dumps(bodies, ensure_ascii=False)
    # The surrogate of the name in turn 2 is the one chosen by replica 1 in turn 1.
    surrogate_words = set(sent_first.replace(",", " ").split()) - set(FIRST.replace(",", " ").split())
    assert any(w in bodies[1]["messages"][-1]["content"] for w in surrogate_words)


def test_one_server_with_two_workers_keeps_each_conversation(
    postgres_schema: tuple[str, str], upstream: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    """``--workers 2``: successive turns, each on a new connection (so either worker may take
    it), are revealed exactly and carry the surrogates chosen at the first turn."""
    base, schema = postgres_schema
    upstream_url, bodies = upstream
    config = _replica_config(upstream_url)
    with _servers(tmp_path, config, base, schema, [["--workers", "2"]]) as (url,):
        history = [{"role": "user", "content": FIRST}]
        for _ in range(6):
            answer = _ask(url, history)
            assert answer == "Écho : " + history[-1]["content"]
            history += [{"role": "assistant", "content": answer}, {"role": "user", "content": SECOND}]
    firsts = {b["messages"][0]["content"] for b in bodies}
    assert len(bodies) == 6 and len(firsts) == 1  # the opening turn is sent the same way each time
    assert "Quéméner" not in json.dumps(bodies, ensure_ascii=False)
