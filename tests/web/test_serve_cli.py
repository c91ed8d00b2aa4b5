"""``avec serve``: present in the CLI with its options, and fails in French on a bad database URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from avec.cli import app


def test_serve_help_lists_host_and_port() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output
    assert "--port" in result.output


def test_serve_refuses_an_invalid_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVEC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AVEC_DATABASE_URL", "pas-une-url://secret@hôte")
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "base de données" in result.output
    assert "secret" not in result.output
