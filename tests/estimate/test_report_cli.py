"""``avec report``: the team report from the configured journal, in the three formats."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from estimate_journal import fill
from pypdf import PdfReader
from typer.testing import CliRunner

from avec.cli import app
from avec.journal import make_engine, upgrade

runner = CliRunner()


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    monkeypatch.setenv("AVEC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AVEC_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    fill(engine)
    engine.dispose()
    return tmp_path


def test_pdf_to_a_file(configured: Path) -> None:
    out = configured / "rapport.pdf"
    res = runner.invoke(app, ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "pdf",
                              "--out", str(out), "--team", "cardio"])  # fmt: skip
    assert res.exit_code == 0, res.output
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Utilisations de l'IA 9" in " ".join(text.split())


def test_csv_and_html_to_standard_output(configured: Path) -> None:
    csv_res = runner.invoke(app, ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv"])
    assert csv_res.exit_code == 0
    assert "usages;total;;10;nombre" in csv_res.stdout  # the whole organisation
    html_res = runner.invoke(app, ["report", "--from", "2026-11-01", "--to", "2026-11-30"])
    assert html_res.exit_code == 0 and "<!doctype html>" in html_res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "01/11/2026", "--to", "2026-11-30"], "date invalide"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "précède"),
        (["--from", "2026-11-01", "--to", "2026-11-30", "--format", "docx"], "format inconnu"),
    ],
)
def test_bad_arguments_fail_in_french(configured: Path, args: list[str], message: str) -> None:
    res = runner.invoke(app, ["report", *args])
    assert res.exit_code == 2
    assert message in res.output
