"""Rendering findings for people (terminal report) and for tools (JSON), used by ``avec verify``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import typer

from avec.verify.api import VerifyInputError, verify
from avec.verify.findings import TYPE_FR, Finding, Severity

Fail = Callable[[str], NoReturn]
_SEVERITY_FR = {Severity.ERROR: "ERREUR", Severity.WARNING: "À VÉRIFIER", Severity.INFO: "INFO"}


def mark(answer: str, findings: list[Finding]) -> str:
    """The answer with each finding wrapped as ``⟦text⟧¹`` (numbers refer to the list)."""
    out: list[str] = []
    pos = 0
    for number, f in enumerate(findings, start=1):
        if f.start < pos:  # overlapping findings: the first one carries the mark
            continue
        out.append(answer[pos : f.start] + "⟦" + answer[f.start : f.end] + f"⟧[{number}]")
        pos = f.end
    out.append(answer[pos:])
    return "".join(out)


def render_text(answer: str, findings: list[Finding]) -> str:
    """A readable French report: the marked answer, then one paragraph per finding."""
    if not findings:
        return "Aucun point à signaler par les vérifications automatiques.\n" + (
            "Elles ne remplacent pas votre relecture : vérifiez toujours les informations cliniques.\n"
        )
    lines = [
        "=== Réponse annotée ===",
        mark(answer, findings),
        "",
        f"=== {len(findings)} point(s) à vérifier ===",
    ]
    for number, f in enumerate(findings, start=1):
        lines.append(
            f"[{number}] {_SEVERITY_FR[f.severity]} — {TYPE_FR[f.type]} (caractères {f.start}-{f.end})"
        )
        lines.append(f"    {f.message}")
        if f.suggestion:
            lines.append(f"    Suggestion : {f.suggestion}")
    return "\n".join(lines) + "\n"


def run_single(answer: str, source: str | None, fmt: str, fail: Fail) -> None:
    """Check one answer and print the report (``text``) or the findings (``json``)."""
    try:
        findings = verify(answer, source)
    except VerifyInputError as exc:
        fail(str(exc))
    if fmt == "json":
        typer.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        typer.echo(render_text(answer, findings), nl=False)


def run_batch(jsonl: Path, out: Path, fail: Fail) -> None:
    """Read ``{"id", "source", "output"}`` lines, write ``{"id", "findings": [{start, end, type}]}`` lines."""
    try:
        lines = jsonl.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"lecture impossible du fichier d'entrée ({type(exc).__name__})")
    rows: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            doc_id, output, source = doc["id"], doc["output"], doc.get("source") or None
            if not isinstance(output, str) or (source is not None and not isinstance(source, str)):
                raise TypeError
        except (ValueError, KeyError, TypeError, RecursionError):
            fail(f"ligne {number} mal formée (attendu : un objet JSON avec « id », « output » et « source »)")
        try:
            findings = verify(output, source) if output.strip() else []
        except VerifyInputError as exc:
            fail(f"ligne {number} : {exc}")
        found = [{"start": f.start, "end": f.end, "type": str(f.type)} for f in findings]
        rows.append(json.dumps({"id": doc_id, "findings": found}))  # ASCII: any id stays writable
    try:
        out.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    except OSError as exc:
        fail(f"écriture impossible du fichier de sortie ({type(exc).__name__})")
    typer.echo(f"{len(rows)} réponse(s) vérifiée(s).", err=True)
