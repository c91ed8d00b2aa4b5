"""The team report as CSV for spreadsheets: one figure per line.

Columns: ``section;indicateur;detail;valeur;unite``. The separator is a semicolon and the
file starts with a UTF-8 byte-order mark, as French spreadsheet software expects; values
are plain numbers with a dot (``0.125``) so that they stay machine-readable, and ratios are
given between 0 and 1 (unit ``ratio``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from avec.estimate.report import TeamReport

HEADER = ("section", "indicateur", "detail", "valeur", "unite")
Row = tuple[str, str, str, str, str]


def _n(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}"


def _counts(section: str, indicator: str, counts: dict[str, int]) -> Iterator[Row]:
    for key, n in counts.items():
        yield section, indicator, key, str(n), "nombre"


def rows(report: TeamReport) -> Iterator[Row]:
    """Every figure of the report as a CSV row."""
    f = report.figures
    yield "periode", "debut", "", report.first_day.isoformat(), "date"
    yield "periode", "fin", "", report.last_day.isoformat(), "date"
    yield "periode", "equipe", "", report.team or "", ""
    yield "usages", "total", "", str(f.uses), "nombre"
    yield "usages", "utilisateurs", "", str(f.actors), "nombre"
    yield from _counts("usages", "par_tache", f.uses_by_task)
    yield from _counts("usages", "par_systeme", f.uses_by_system)
    yield from _counts("usages", "par_source", f.uses_by_source)
    yield from _counts("usages", "par_issue", f.outcomes)
    yield "corrections", "taux_moyen", "", _n(f.correction_ratio_mean), "ratio"
    for p in f.correction_by_week:
        yield "corrections", "taux_par_semaine", p.week.isoformat(), _n(p.value), "ratio"
    yield "facilite", "note_moyenne", "", _n(f.rating_mean), "note_1_5"
    for p in f.rating_by_week:
        yield "facilite", "note_par_semaine", p.week.isoformat(), _n(p.value), "note_1_5"
    yield "temps", "total", "", _n(f.time_spent_seconds), "secondes"
    for task, seconds in f.time_by_task_seconds.items():
        yield "temps", "par_tache", task, _n(seconds), "secondes"
    yield "sans_ia", "taches", "", str(f.ai_free_tasks), "nombre"
    yield "sans_ia", "part", "", _n(f.ai_free_share), "ratio"
    yield from _counts("sans_ia", "par_tache", f.ai_free_by_task)
    yield from _counts("verification", "constats_par_type", f.findings_by_type)
    yield from _counts("protection", "identifiants_remplaces", f.replaced_by_category)
    yield from _counts("protection", "identifiants_bloques", f.blocked_by_category)
    fp = f.footprint
    yield "empreinte", "requetes_mesurees", "", str(fp.measured_requests), "nombre"
    yield "empreinte", "energie", "", _n(fp.energy_kwh), "kWh"
    yield "empreinte", "emissions", "", _n(fp.gwp_kgco2eq), "kgCO2e"
    yield "empreinte", "eau", "", _n(fp.water_l), "L"
    for eq in fp.equivalents:
        yield "empreinte", "equivalent", eq.text, _n(eq.units), eq.quantity
    for prog in report.objectives:
        yield (
            "objectifs",
            prog.objective.label_fr(),
            prog.objective.scope_fr,
            _n(prog.value),
            ("atteint" if prog.met else ("non_atteint" if prog.met is False else "sans_donnees")),
        )
    for e in report.errors:
        when = e.created_at.date().isoformat() if e.created_at else ""
        yield (
            "erreurs_ia",
            e.category,
            f"{when} {e.system_id} {e.task}",
            e.severity,
            ("a_atteint_le_patient" if e.reached_patient else "interceptee"),
        )
    for le in report.lessons:
        yield "lecons", le.task or "", le.created_at.date().isoformat(), le.text, ""
    for t in report.transparency:
        yield "transparence", "usages", t.system_id, str(t.uses), "nombre"
        yield "transparence", "adoption", t.system_id, _n(t.adoption), "ratio"
        yield "transparence", "requetes_bloquees", t.system_id, str(t.blocked_requests), "nombre"
        for label, n in t.sent_pseudonymized.items():
            yield "transparence", "envoye_pseudonymise", f"{t.system_id} {label}", str(n), "nombre"
        for label, n in t.sent_allowed.items():
            yield "transparence", "envoye_tel_quel", f"{t.system_id} {label}", str(n), "nombre"
        for label, n in t.blocked.items():
            yield "transparence", "bloque", f"{t.system_id} {label}", str(n), "nombre"
        for severity, n in t.incidents.items():
            yield "transparence", "incidents", f"{t.system_id} {severity}", str(n), "nombre"


def render_csv(report: TeamReport) -> str:
    """The report as CSV text (with a leading byte-order mark)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows(report))
    return "\ufeff" + buffer.getvalue()
