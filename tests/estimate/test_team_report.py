"""The team report built from a known journal, rendered as PDF, HTML and CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from estimate_journal import Filled
from pypdf import PdfReader

from avec.catalog import load_catalog
from avec.estimate.render_csv import render_csv
from avec.estimate.render_html import render_html
from avec.estimate.render_pdf import latin1, render_pdf
from avec.estimate.report import TeamReport, build_team_report

NOW = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


@pytest.fixture
def report(filled: Filled) -> TeamReport:
    return build_team_report(
        filled.engine, date(2026, 11, 1), date(2026, 11, 30), team="cardio", catalog=load_catalog(), now=NOW
    )


def _pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)  # table cells wrap: compare words, not lines


def test_report_gathers_objectives_errors_lessons_and_register(report: TeamReport) -> None:
    assert [p.objective.metric.value for p in report.objectives] == [
        "correction_ratio_max",
        "ai_free_share_min",
    ]
    assert all(p.met for p in report.objectives)  # 15 % of corrections, 43 % of letters without AI
    assert report.errors_by_severity == {"grave": 1, "faible": 1}
    assert [le.text for le in report.lessons] == ["Toujours relire les posologies proposées."]
    register = {t.system_id: t for t in report.transparency}
    assert register["chatgpt"].uses == 4 and register["chatgpt"].adoption == pytest.approx(0.333)
    assert register["ia_etablissement"].sent_allowed == {"DATE": 2}
    assert register["ia_etablissement"].blocked == {"SECU": 1}
    assert register["ia_etablissement"].blocked_requests == 1
    assert register["chatgpt"].incidents == {"grave": 1}
    assert register["le_chat"].uses == 0  # every catalogue system is listed


def test_pdf_contains_the_figures_it_must(report: TeamReport) -> None:
    data = render_pdf(report)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    expected = [
        "Rapport d'usage de l'IA générative - équipe cardio",
        "Période du 01/11/2026 au 30/11/2026",
        "Utilisations de l'IA 9",
        "Personnes ou postes utilisateurs 3",
        "Tâches faites sans IA 3",
        "Part de la pratique sans IA 25 %",
        "Taux de correction moyen 18 %",
        "Facilité d'usage moyenne (1 à 5) 3,3",
        "Temps passé avec l'IA 40 min",
        "Identifiants remplacés 16",
        "Identifiants bloqués 1",
        "Erreurs d'IA signalées 2",
        "Résumé de compte rendu 5",
        "nom de famille 12",
        "numéro de sécurité sociale (NIR) 1",
        "dose au-dessus du maximum usuel 1",
        "Requêtes mesurées 2",
        "Énergie 4,00 Wh",
        "1,00 g CO2e",
        "Eau 0,020 L",
        "recharge complète de smartphone",
        "verre d'eau",
        "taux de correction moyen des réponses validées <= 15 %",
        "dose ou posologie erronée",
        "Toujours relire les posologies proposées.",
        "Registre de transparence",
        "IA validée par mon établissement",
    ]
    missing = [e for e in expected if latin1(e) not in text]
    assert missing == []
    assert "4,5/5" not in text  # a personal objective never appears in a team report
    assert "Soignant" not in text  # account names are not report content


def test_html_is_escaped_and_complete(report: TeamReport) -> None:
    page = render_html(report)
    assert page.startswith("<!doctype html>") and '<html lang="fr">' in page
    assert "Taux de correction moyen</td><td>18 %" in page
    assert "Registre des erreurs d&#39;IA" in page
    assert "<script" not in page


def test_csv_has_one_machine_readable_figure_per_line(report: TeamReport) -> None:
    text = render_csv(report)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["section", "indicateur", "detail", "valeur", "unite"]
    index = {(r[0], r[1], r[2]): r[3] for r in rows[1:]}
    assert index[("usages", "total", "")] == "9"
    assert float(index[("corrections", "taux_moyen", "")]) == pytest.approx(0.18)
    assert float(index[("sans_ia", "part", "")]) == pytest.approx(0.25)
    assert float(index[("empreinte", "energie", "")]) == pytest.approx(0.004)
    assert index[("protection", "identifiants_bloques", "SECU")] == "1"
    assert index[("transparence", "requetes_bloquees", "ia_etablissement")] == "1"
    assert sum(1 for r in rows if r[0] == "erreurs_ia") == 2


def test_empty_period_still_renders(filled: Filled) -> None:
    empty = build_team_report(
        filled.engine, date(2020, 1, 1), date(2020, 1, 31), catalog=load_catalog(), now=NOW
    )
    text = _pdf_text(render_pdf(empty))
    assert "Utilisations de l'IA 0" in text
    assert latin1("Aucune erreur signalée sur la période.") in text
    with pytest.raises(ValueError):
        build_team_report(filled.engine, date(2020, 2, 1), date(2020, 1, 1))
