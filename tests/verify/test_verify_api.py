"""End-to-end: ``verify`` composes the checks; the CLI wraps it with French errors."""

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from avec.cli import app
from avec.verify import Finding, VerifyInputError, verify

CLEAN = [
    "Ordonnance : amoxicilline 1 g trois fois par jour pendant 7 jours ; paracétamol 1 g si douleur, "
    "sans dépasser 4 g par jour.",
    "Madame, votre médecin vous a prescrit Levothyrox 75 µg le matin à jeun et Kardégic 75 mg à midi.",
    "- insuline glargine 18 UI au coucher\n- metformine 1000 mg matin et soir\n- atorvastatine 40 mg le soir",
    "La dose totale est de 40 mg par jour ; la posologie habituelle est de 20 mg. CRP 12 mg/L.",
    "Bisoprolol 2,5 mg le matin, furosémide 40 mg le matin, Eliquis 5 mg matin et soir.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_texts_have_no_finding(text: str) -> None:
    assert verify(text, today=date(2026, 1, 1)) == []


def test_verify_composes_checks() -> None:
    source = "Sortie sous ramipril 5 mg le matin et Doliprane 1 g trois fois par jour, le 12/02/2026."
    answer = (
        "Sortie sous ramipril 10 mg matin et soir et Doliprane 1 g trois fois par jour, ajout de Stilnox, "
        "le 12 février 2026.\nRéférence :\n1. HAS. Hypertension artérielle. Recommandation. 2005."
    )
    found = verify(answer, source, today=date(2026, 1, 1))
    assert all(isinstance(f, Finding) and f.fits(answer) for f in found)
    types = [(answer[f.start : f.end], str(f.type)) for f in found]
    assert ("10 mg", "UNGROUNDED_NUMBER") in types
    assert ("10 mg matin et soir", "DOSE_OVER_MAX") in types  # changed by the AI, and above 10 mg/j
    assert ("Stilnox", "UNGROUNDED_DRUG") in types
    assert any(t == "CITATION_OUTDATED" for _, t in types)
    assert not any(t == "UNGROUNDED_NUMBER" and "février" in s for s, t in types)
    only = verify(answer, source, checks=("citations",), today=date(2026, 1, 1))
    assert [str(f.type) for f in only] == ["CITATION_OUTDATED"]


def test_bad_input() -> None:
    with pytest.raises(VerifyInputError):
        verify("   ")
    with pytest.raises(VerifyInputError):
        verify("x" * 10, max_chars=5)
    with pytest.raises(VerifyInputError):
        verify("texte", checks=("nope",))


runner = CliRunner()


def test_cli_text_and_json(tmp_path: Path) -> None:
    answer = tmp_path / "a.txt"
    answer.write_text("- sertaline 50 mg le matin\n", encoding="utf-8")
    result = runner.invoke(app, ["verify", str(answer)])
    assert result.exit_code == 0 and "sertraline" in result.output and "⟦sertaline⟧" in result.output
    result = runner.invoke(app, ["verify", str(answer), "--format", "json"])
    assert json.loads(result.output)[0]["type"] == "MISSPELLED_DRUG"


def test_cli_batch(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "source": "", "output": "Glucomarine 10 mg le soir."},
        {"id": "b", "output": "Bonjour."},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["verify", "--jsonl", str(data), "--out", str(out)])
    assert result.exit_code == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"id": "a", "findings": [{"start": 0, "end": 11, "type": "UNKNOWN_DRUG"}]},
        {"id": "b", "findings": []},
    ]


@pytest.mark.parametrize("content", [b"", b"\x00\x01binaire", b"\xff\xfe\xfa", b"  \n "])
def test_cli_bad_input_is_a_french_error(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = runner.invoke(app, ["verify", str(bad)])
    assert result.exit_code == 2
    assert "Erreur" in result.output and "Traceback" not in result.output


def test_cli_bad_batch_line(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text("pas du json\n", encoding="utf-8")
    result = runner.invoke(app, ["verify", "--jsonl", str(data), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "ligne 1" in result.output
