"""Hostile files given to the command line: a French error and exit code 2, never a traceback.

``tests/protect/test_cli.py`` and ``tests/verify/test_verify_api.py`` cover empty, blank, binary
and invalid UTF-8 files and a malformed JSONL line; this adds random bytes, random JSON lines,
missing and damaged files, and two known crashes kept as strict expected failures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from avec.cli import app

runner = CliRunner()
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SECRET = "KERMARREC"

#: JSON values without lone surrogates (those are a known crash, tested on their own below).
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(codec="utf-8")),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "text", "x"]), inner),
    max_leaves=8,
)


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVEC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AVEC_VAULT_KEY", Fernet.generate_key().decode())


def assert_clean(res: Result, *, allowed: tuple[int, ...] = (0, 2)) -> None:
    """Exit 0, or 2 with a French error; no traceback, no quoted secret."""
    assert res.exit_code in allowed, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    if res.exit_code == 2:
        assert res.output.startswith("Erreur") or "\nErreur" in res.output
    assert "Traceback" not in res.output


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["protect", "verify"]))
def test_random_bytes(tmp_path: Path, data: bytes, command: str) -> None:
    src = tmp_path / "in.bin"
    src.write_bytes(data + SECRET.encode() + b"\xff")  # invalid UTF-8: always refused
    res = runner.invoke(app, [command, str(src)])
    assert_clean(res, allowed=(2,))
    assert SECRET not in res.output


@FUZZ
@given(st.lists(JSON, min_size=1, max_size=4))
def test_random_json_lines_for_detect(tmp_path: Path, values: list[object]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(v) for v in values), encoding="utf-8")
    assert_clean(runner.invoke(app, ["detect", "--jsonl", str(src), "--out", str(tmp_path / "o.jsonl")]))


@FUZZ
@given(st.lists(JSON, min_size=1, max_size=4))
def test_random_json_lines_for_verify(tmp_path: Path, values: list[object]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(v) for v in values), encoding="utf-8")
    assert_clean(runner.invoke(app, ["verify", "--jsonl", str(src), "--out", str(tmp_path / "o.jsonl")]))


def test_missing_and_damaged_files(tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(f"Bonjour M. {SECRET}.", encoding="utf-8")
    absent = runner.invoke(app, ["reveal", str(answer), "--map", str(tmp_path / "absent.vault")])
    assert_clean(absent, allowed=(2,))
    assert "introuvable" in absent.output
    damaged = tmp_path / "damaged.vault"
    damaged.write_bytes(b"gAAAAA" + SECRET.encode())
    for args in (["reveal", str(answer)], ["protect", str(answer)]):
        res = runner.invoke(app, [*args, "--map", str(damaged)])
        assert_clean(res, allowed=(2,))
        assert "illisible" in res.output and SECRET not in res.output
    res = runner.invoke(
        app, ["detect", "--jsonl", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")]
    )
    assert_clean(res, allowed=(2,))
    res = runner.invoke(app, ["protect", str(tmp_path / "nope.txt")])
    assert_clean(res, allowed=(2,))


def test_bom_and_nul_free_odd_unicode_is_accepted(tmp_path: Path) -> None:
    src = tmp_path / "odd.txt"
    src.write_bytes("\ufeffMme Zoé KERMARREC \u200b\u202e 😀 [NOM_1] [nom_2 ]\n".encode())
    vault = tmp_path / "map.vault"
    res = runner.invoke(app, ["protect", str(src), "--map", str(vault), "--tags"])
    assert_clean(res, allowed=(0,))
    assert SECRET not in res.stdout
    answer = tmp_path / "answer.txt"
    answer.write_text(res.stdout, encoding="utf-8")
    back = runner.invoke(app, ["reveal", str(answer), "--map", str(vault)])
    assert back.stdout == src.read_text(encoding="utf-8-sig")


# Crashes found by this fuzzing (an exception and exit code 1 instead of a French error), fixed.
def test_detect_with_lone_surrogate_id(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "\\ud800", "text": "M. Jean DUPONT"}\n', encoding="utf-8")
    assert_clean(runner.invoke(app, ["detect", "--jsonl", str(src), "--out", str(tmp_path / "o.jsonl")]))


@pytest.mark.parametrize("command", ["detect", "verify"])
def test_deeply_nested_json_line(tmp_path: Path, command: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    assert_clean(runner.invoke(app, [command, "--jsonl", str(src), "--out", str(tmp_path / "o.jsonl")]))
