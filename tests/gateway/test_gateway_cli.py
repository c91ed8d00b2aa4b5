"""``avec gateway``: configuration check, client keys, and the multi-process guard of ``serve``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from avec.cli import app
from avec.gateway import hash_key


def _config(tmp_path: Path, vault_store: str) -> Path:
    path = tmp_path / "passerelle.yaml"
    config = {
        "systems": [{"id": "cloud", "base_url": "http://127.0.0.1:9/v1", "models": ["m"]}],
        "keys": [{"id": "poste-1", "sha256": hash_key("cle")}],
        "options": {"vault_store": vault_store},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_several_workers_need_conversations_in_the_database(tmp_path: Path) -> None:
    path = _config(tmp_path, "memory")
    result = CliRunner().invoke(app, ["gateway", "serve", "--config", str(path), "--workers", "2"])
    assert result.exit_code == 2
    assert "vault_store: database" in result.output


def test_check_lists_systems_and_keys(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["gateway", "check", "--config", str(_config(tmp_path, "memory"))])
    assert result.exit_code == 0, result.output
    assert "cloud" in result.output and "1 clé(s) client" in result.output


def test_new_key_prints_only_its_digest_for_the_file() -> None:
    result = CliRunner().invoke(app, ["gateway", "key", "--id", "poste-2"])
    assert result.exit_code == 0
    key = result.output.split("affichée une seule fois) : ")[1].split()[0]
    assert f"sha256: {hash_key(key)}" in result.output


def test_workers_listen_on_a_socket_that_asyncio_sets_tcp_nodelay_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Accepted connections inherit the listener's ``proto``; asyncio sets TCP_NODELAY only when
    it is TCP's, else each keep-alive answer waits ~40 ms for a delayed ACK (uvicorn #3149)."""
    import socket

    import uvicorn
    from uvicorn.supervisors import multiprocess

    from avec.gateway.cli import _serve_workers

    seen: list[socket.socket] = []

    class Supervisor:
        def __init__(self, config: object, sockets: list[socket.socket]) -> None:
            seen.extend(sockets)

        def run(self) -> None:
            pass

    monkeypatch.setattr(multiprocess, "Multiprocess", Supervisor)
    monkeypatch.setattr("uvicorn.supervisors.Multiprocess", Supervisor)
    _serve_workers(uvicorn.Config("x:y", host="127.0.0.1", port=0, workers=2))
    (listener,) = seen
    try:
        assert listener.proto == socket.IPPROTO_TCP
        assert listener.type == socket.SOCK_STREAM and listener.get_inheritable()
    finally:
        listener.close()
