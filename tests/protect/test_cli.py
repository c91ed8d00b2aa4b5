"""CLI: protect, reveal, detect, demo, and bad input (French error, exit 2, no echo)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from avec.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVEC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AVEC_VAULT_KEY", Fernet.generate_key().decode())


def test_protect_then_reveal_with_map(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("Patient : Jean DUPONT, né le 12/03/1950.\n", encoding="utf-8")
    vault = tmp_path / "map.vault"
    res = runner.invoke(app, ["protect", str(src), "--map", str(vault), "--report"])
    assert res.exit_code == 0, res.output
    assert "DUPONT" not in res.stdout
    assert "DUPONT" not in vault.read_bytes().decode(errors="ignore")
    answer = tmp_path / "answer.txt"
    answer.write_text(res.stdout, encoding="utf-8")
    back = runner.invoke(app, ["reveal", str(answer), "--map", str(vault)])
    assert back.exit_code == 0, back.output
    assert back.stdout == src.read_text(encoding="utf-8")


def test_protect_tags_stdin() -> None:
    res = runner.invoke(app, ["protect", "-", "--tags"], input="Bonjour Marie DUPONT.")
    assert res.exit_code == 0, res.output
    assert "DUPONT" not in res.stdout


@pytest.mark.parametrize(
    "payload",
    [b"", b"   \n", b"Dupont\x00\x01\x02", b"Dupont \xff\xfe caf\xe9"],
)
def test_bad_input_is_a_french_error(tmp_path: Path, payload: bytes) -> None:
    src = tmp_path / "bad.txt"
    src.write_bytes(payload)
    res = runner.invoke(app, ["protect", str(src)])
    assert res.exit_code == 2
    assert "Erreur" in res.output and "Dupont" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVEC_MAX_INPUT_CHARS", "100")
    src = tmp_path / "big.txt"
    src.write_text("Dupont " * 1000, encoding="utf-8")
    res = runner.invoke(app, ["protect", str(src)])
    assert res.exit_code == 2 and "trop long" in res.output


def test_reveal_wrong_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "in.txt"
    src.write_text("Jean DUPONT", encoding="utf-8")
    vault = tmp_path / "map.vault"
    assert runner.invoke(app, ["protect", str(src), "--map", str(vault)]).exit_code == 0
    monkeypatch.setenv("AVEC_VAULT_KEY", Fernet.generate_key().decode())
    res = runner.invoke(app, ["reveal", str(src), "--map", str(vault)])
    assert res.exit_code == 2 and "clé" in res.output


def test_detect_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "d1", "text": "Mme Marie DUPONT, tél 06 12 34 56 78."}) + "\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["detect", "--jsonl", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["id"] == "d1" and all({"start", "end", "label"} <= set(s) for s in row["spans"])


def test_detect_malformed_line(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "d1", "text": "ok"}\n{secret Dupont\n', encoding="utf-8")
    res = runner.invoke(app, ["detect", "--jsonl", str(src), "--out", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 2 and "ligne 2" in res.output and "Dupont" not in res.output


def test_demo() -> None:
    res = runner.invoke(app, ["demo"])
    assert res.exit_code == 0, res.output
    assert "Texte protégé" in res.stdout and "BRETONNEAU" in res.stdout
    protected_part = res.stdout.split("=== 2.")[0]
    assert "BRETONNEAU" not in protected_part
