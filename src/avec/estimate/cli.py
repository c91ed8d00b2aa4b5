"""The ``avec report`` command's work, kept here so that ``avec.cli`` stays a thin shell."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NoReturn

import typer

FORMATS = ("html", "pdf", "csv")


def _day(value: str, fail: Callable[[str], NoReturn]) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail("date invalide : utilisez le format AAAA-MM-JJ (par exemple 2026-11-01)")


def write_report(
    first: str,
    last: str,
    fmt: str,
    out: Path | None,
    team: str | None,
    fail: Callable[[str], NoReturn],
) -> None:
    """Build the team report from the configured journal and write it.

    Args:
        first: first day, ISO format.
        last: last day (included), ISO format.
        fmt: ``html``, ``pdf`` or ``csv``.
        out: output file; HTML and CSV go to standard output without it, a PDF goes to
            ``rapport-avec-<first>-<last>.pdf`` in the current folder.
        team: one team, or None for the whole organisation.
        fail: prints a French error and exits (the CLI's ``_fail``).
    """
    from avec.catalog import CatalogError, load_catalog
    from avec.config import get_settings
    from avec.estimate.render_csv import render_csv
    from avec.estimate.render_html import render_html
    from avec.estimate.render_pdf import render_pdf
    from avec.estimate.report import build_team_report
    from avec.journal import JournalError, make_engine, upgrade

    if fmt not in FORMATS:
        fail("format inconnu : choisissez html, pdf ou csv")
    first_day, last_day = _day(first, fail), _day(last, fail)
    if last_day < first_day:
        fail("la date de fin (--to) précède la date de début (--from)")
    settings = get_settings()
    try:
        catalog = load_catalog(settings.data_dir)
        engine = make_engine(settings.resolved_database_url())
    except (JournalError, CatalogError) as exc:
        fail(str(exc))
    try:
        upgrade(engine)
        report = build_team_report(engine, first_day, last_day, team=team, catalog=catalog)
    except JournalError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    if fmt == "pdf":
        target = out or Path(f"rapport-avec-{first_day.isoformat()}-{last_day.isoformat()}.pdf")
        _write(target, render_pdf(report), fail)
        typer.echo(f"Rapport PDF écrit dans {target}.", err=True)
        return
    text = render_html(report) if fmt == "html" else render_csv(report)
    if out is None:
        sys.stdout.write(text)
        return
    _write(out, text.encode("utf-8"), fail)
    typer.echo(f"Rapport {fmt.upper()} écrit dans {out}.", err=True)


def _write(path: Path, data: bytes, fail: Callable[[str], NoReturn]) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        fail(f"écriture impossible du rapport ({type(exc).__name__})")
