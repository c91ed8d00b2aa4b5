"""Estimer, Apprendre, Communiquer pages: dashboard, objectives, register, report, catalogue editor,
questionnaire, patient version and notice, guide keys — French, labelled, nothing identifying kept."""

from __future__ import annotations

import html
import io
import re

import pytest
import yaml
from clinical import DOCUMENT, IDENTIFIERS, REQUEST
from fastapi import FastAPI
from fastapi.testclient import TestClient
from practice_data import fill_recent
from pypdf import PdfReader
from sqlalchemy import MetaData, select

from avec.estimate import Register

TEXT = (
    "Vous avez eu une pneumopathie. Le traitement par antibiotiques doit être poursuivi pendant sept jours, "
    "avec une surveillance de la température matin et soir et une consultation chez votre médecin traitant "
    "si la fièvre persiste après trois jours. Une NFS sera faite."
)


def _labelled(page: str) -> None:
    """Every visible form control has a label (or is a hidden field)."""
    ids = re.findall(r'<(?:textarea|select|input)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', page)
    assert ids
    for control in ids:
        assert f'for="{control}"' in page, control


def _rows(app: FastAPI) -> str:
    meta = MetaData()
    meta.reflect(app.state.engine)
    out: list[dict[str, object]] = []
    with app.state.engine.connect() as conn:
        for table in meta.sorted_tables:
            out += [dict(r._mapping) for r in conn.execute(select(table))]
    return repr(out)


# --- dashboard ------------------------------------------------------------------------------------


def test_empty_dashboard_says_so_and_is_labelled(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/tableau-de-bord")
    assert page.status_code == 200
    assert "Tableau de bord" in page.text
    assert "Pas encore de données sur la période." in page.text
    assert "Aucune requête mesurée sur la période." in page.text
    assert 'aria-current="page">Tableau de bord' in page.text
    _labelled(page.text)


def test_dashboard_draws_every_figure_with_its_table(sqlite_app: FastAPI, sqlite_client: TestClient) -> None:
    fill_recent(sqlite_app.state.engine)
    page = sqlite_client.get("/tableau-de-bord").text
    for slug in ("taches", "systemes", "correction", "facilite", "temps", "sans-ia", "points", "remplaces",
                 "bloques", "empreinte"):  # fmt: skip
        assert f'<svg class="chart" id="chart-{slug}"' in page, slug
        assert f'id="data-{slug}"' in page, slug  # the table alternative
    assert 'role="img"' in page and "<title id=" in page
    # Figures: 6 uses (3 companion, 3 gateway), mean correction 20 %, rating 4/5, 15 minutes.
    summary = html.unescape(page[page.index('id="summary"') : page.index("</dl>")])
    assert "20,0\u202f%" in summary  # mean correction of 10, 20, 30 %
    assert "4,0/5" in summary  # mean rating of 4, 5, 3
    assert "15,0\u202fmin" in summary  # 3 × 5 min
    assert "Courrier" in page and "ChatGPT (offre grand public)" in page
    assert "numéro de sécurité sociale (NIR)" in page  # blocked by category
    assert "Erreur de dose" in page or "DOSE_OVER_MAX" not in page  # findings by type in French
    footprint = page[page.index('id="footprint-table"') :]
    assert "2,00 Wh" in footprint and "4,00 Wh" in footprint  # per request and cumulated
    assert "0,50 g CO2e" in footprint and "1,00 g CO2e" in footprint
    assert "20,0 mL" in footprint
    assert "recharge" in page and "verre" in page  # everyday equivalents


def test_bad_period_is_refused_in_french(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/tableau-de-bord", params={"du": "2026-11-30", "au": "2026-11-01"})
    assert page.status_code == 422
    assert "La date de fin précède la date de début." in page.text


def test_objective_is_added_followed_and_removed(sqlite_app: FastAPI, sqlite_client: TestClient) -> None:
    fill_recent(sqlite_app.state.engine)
    page = sqlite_client.post(
        "/tableau-de-bord/objectif",
        data={"metric": "correction_ratio_max", "target": "15", "task": "courrier"},
    )
    assert page.status_code == 200
    assert "Objectif enregistré." in page.text
    objectives = html.unescape(page.text[page.text.index('id="objectives"') :])
    assert "taux de correction moyen des réponses validées ≤ 15 % (courrier)" in objectives
    assert '<progress id="progress-1" max="100" value="75"' in objectives  # 15 % / 20 %
    assert "pas encore atteint" in objectives
    [objective] = Register(sqlite_app.state.engine).objectives()
    page = sqlite_client.post(f"/tableau-de-bord/objectif/{objective.id}/retirer")
    assert "Objectif retiré du suivi." in page.text
    assert Register(sqlite_app.state.engine).objectives() == []


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"metric": "inconnu", "target": "15"}, "Choisissez un indicateur dans la liste."),
        ({"metric": "correction_ratio_max", "target": "quinze"}, "Cible invalide"),
        ({"metric": "correction_ratio_max", "target": "150"}, "comprise entre 0 et 1"),
        ({"metric": "time_saved_per_week_min", "target": "60"}, "durée habituelle de la tâche"),
    ],
)
def test_invalid_objectives_are_refused(
    sqlite_client: TestClient, form: dict[str, str], message: str
) -> None:
    page = sqlite_client.post("/tableau-de-bord/objectif", data=form)
    assert page.status_code == 422
    assert message in html.unescape(page.text)


def test_time_saved_objective_needs_and_takes_a_baseline(sqlite_client: TestClient) -> None:
    form = {"metric": "time_saved_per_week_min", "target": "60", "task": "courrier", "baseline_minutes": "20"}
    page = sqlite_client.post("/tableau-de-bord/objectif", data=form)
    assert "temps gagné par semaine ≥ 60 min (courrier)" in html.unescape(page.text)


def test_ai_error_is_reported_with_codes_only(sqlite_app: FastAPI, sqlite_client: TestClient) -> None:
    form = {"system_id": "chatgpt", "task": "courrier", "category": "dose_erronee", "severity": "grave",
            "detected_by": "verification_avec", "reached_patient": "oui"}  # fmt: skip
    page = sqlite_client.post("/tableau-de-bord/erreur", data=form)
    assert page.status_code == 200
    assert "Erreur de l'IA signalée" in html.unescape(page.text)
    errors = page.text[page.text.index('id="errors"') :]
    assert "dose ou posologie erronée" in html.unescape(errors)
    bad = sqlite_client.post("/tableau-de-bord/erreur", data={**form, "severity": "énorme"})
    assert bad.status_code == 422
    assert "Gravité inconnue" in html.unescape(bad.text)


def test_lesson_is_shared_and_an_identifying_one_refused(
    sqlite_app: FastAPI, sqlite_client: TestClient
) -> None:
    page = sqlite_client.post(
        "/tableau-de-bord/lecon",
        data={"lesson": "Toujours relire les posologies proposées.", "task": "courrier"},
    )
    assert "Leçon partagée avec l'équipe." in html.unescape(page.text)
    assert "Toujours relire les posologies proposées." in html.unescape(page.text)
    identifying = f"Penser à rappeler Mme Jeanne Lefebvre, NIR {IDENTIFIERS[3]}."
    refused = sqlite_client.post("/tableau-de-bord/lecon", data={"lesson": identifying})
    assert refused.status_code == 422
    assert "donnée identifiante" in html.unescape(refused.text)
    for identifier in IDENTIFIERS[1:]:
        if identifier in identifying:
            assert identifier not in refused.text  # never echoed back
    assert "Lefebvre" not in _rows(sqlite_app)


@pytest.mark.parametrize("fmt", ["html", "csv", "pdf"])
def test_team_report_downloads(sqlite_app: FastAPI, sqlite_client: TestClient, fmt: str) -> None:
    fill_recent(sqlite_app.state.engine)
    response = sqlite_client.get("/tableau-de-bord/rapport", params={"format": fmt})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["content-disposition"].endswith(f'.{fmt}"')
    if fmt == "pdf":
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert "Rapport d'usage" in text
    elif fmt == "csv":
        assert "usages;total;;6;nombre" in response.text.replace("\r", "")
    else:
        assert "Rapport d'usage de l'IA générative" in html.unescape(response.text)


def test_team_report_refuses_unknown_format(sqlite_client: TestClient) -> None:
    response = sqlite_client.get("/tableau-de-bord/rapport", params={"format": "docx"})
    assert response.status_code == 422
    assert "Format inconnu" in response.text


# --- catalogue ------------------------------------------------------------------------------------


def test_catalogue_lists_conformity_and_review_date(sqlite_client: TestClient) -> None:
    page = html.unescape(sqlite_client.get("/catalogue").text)
    assert "à vérifier (2026-11-29)" in page
    for label in (
        "Hébergement certifié données de santé (HDS)",
        "Contrat de sous-traitance RGPD signé",
        "Données traitées dans l'Union européenne",
        "non documenté — à vérifier",
        "Mistral AI",
    ):
        assert label in page, label
    _labelled(page)


def _system_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "original_id": "",
        "id": "ia_entreprise",
        "name": "IA sous contrat",
        "provider": "Éditeur X",
        "contact": "DPO",
        "intended_uses": ["courrier", "resume_cr"],
        "health_data_allowed": "oui",
        "hds_hosting": "oui",
        "data_in_eu": "oui",
        "no_training_on_user_data": "oui",
        "gdpr_agreement": "oui",
        "environmental_transparency": "",
        "allowed_data_categories": ["DATE"],
        "review_status": "à vérifier",
        "review_date": "2026-11-20",
    }
    form.update(changes)
    return form


def test_catalogue_editor_adds_edits_and_removes_a_system(
    sqlite_app: FastAPI, sqlite_client: TestClient
) -> None:
    data_dir = sqlite_app.state.settings.data_dir
    page = sqlite_client.post("/catalogue/systeme", data=_system_form())
    assert page.status_code == 200
    assert "Système enregistré" in page.text
    saved = yaml.safe_load((data_dir / "catalog.yaml").read_text(encoding="utf-8"))
    [entry] = [s for s in saved["systems"] if s["id"] == "ia_entreprise"]
    assert entry["review_note"] == "à vérifier (2026-11-20)"
    assert entry["hds_hosting"] is True and entry["environmental_transparency"] is None
    assert entry["allowed_data_categories"] == ["DATE"]
    assert len(saved["systems"]) == 6  # the shipped examples were kept
    assert "IA sous contrat" in sqlite_client.get("/").text  # offered at once in the flow
    editor = sqlite_client.get("/catalogue/systeme", params={"id": "ia_entreprise"}).text
    assert 'value="IA sous contrat"' in editor and "readonly" in editor
    _labelled(editor)
    edited = _system_form(original_id="ia_entreprise", name="IA sous contrat (v2)", review_status="vérifié")
    page = sqlite_client.post("/catalogue/systeme", data=edited)
    assert "IA sous contrat (v2)" in page.text and "vérifié (2026-11-20)" in page.text
    page = sqlite_client.post("/catalogue/systeme/ia_entreprise/supprimer", data={"confirm": "oui"})
    assert "Système retiré." in page.text
    assert "ia_entreprise" not in (data_dir / "catalog.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "Avec Espace"}, "Identifiant invalide"),
        ({"id": "chatgpt"}, "Cet identifiant existe déjà"),
        ({"name": ""}, "Donnez un nom au système"),
        ({"intended_uses": ["diagnostic"]}, "Usage prévu inconnu"),
        ({"allowed_data_categories": ["ADN"]}, "Catégorie de données inconnue"),
        ({"review_date": "hier"}, "Date des informations invalide"),
    ],
)
def test_catalogue_editor_validates(
    sqlite_app: FastAPI, sqlite_client: TestClient, changes: dict[str, object], message: str
) -> None:
    page = sqlite_client.post("/catalogue/systeme", data=_system_form(**changes))
    assert page.status_code == 422
    assert message in html.unescape(page.text)
    assert not (sqlite_app.state.settings.data_dir / "catalog.yaml").exists()


def test_removing_needs_confirmation(sqlite_client: TestClient) -> None:
    page = sqlite_client.post("/catalogue/systeme/chatgpt/supprimer", data={})
    assert page.status_code == 422
    assert "Cochez la case de confirmation" in page.text


def test_questionnaire_ranks_systems_with_reasons(sqlite_client: TestClient) -> None:
    answers = {"task": "courrier", "health_data": "non", "require_hds": "non", "require_eu": "oui",
               "refuse_training": "non", "clinical_decision": "oui", "environment": "2"}  # fmt: skip
    page = html.unescape(sqlite_client.get("/catalogue/classement", params=answers).text)
    ranking = page[page.index('id="ranking"') :]
    # Le Chat keeps its data in the EU (required); ChatGPT does not: it comes after, excluded.
    assert ranking.index('data-system="le_chat"') < ranking.index('data-system="chatgpt"')
    assert "données traitées hors de l'Union européenne (exigé)" in ranking
    assert "n'est pas un dispositif médical" in page
    assert "à vérifier" in page


def test_questionnaire_missing_answer(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/catalogue/classement", params={"task": "courrier"})
    assert page.status_code == 422
    assert "Réponse manquante ou invalide" in html.unescape(page.text)


# --- patient version ------------------------------------------------------------------------------


def test_patient_version_shows_french_indices_and_marks(sqlite_client: TestClient) -> None:
    page = sqlite_client.post("/version-patient", data={"texte": TEXT, "action": "analyse"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Flesch (Kandel et Moles)" in text and "LIX" in text and "RIX" in text
    assert "Gunning Fog" in text and "ne sont pas affichés" in text  # English indices left out
    view = text[text.index('id="patient-view"') : text.index("</div>", text.index('id="patient-view"'))]
    assert re.search(r'<mark class="plain" id="p\d+"><a href="#s\d+">pneumopathie', view)
    assert re.search(r'<mark class="plain" id="p\d+"><a href="#s\d+">NFS', view)
    assert '<span class="long">Le traitement' in view
    assert "infection" in text  # the glossary's everyday words
    assert "Phrase longue" in text and "Sigle" in text
    assert "Source :" in text
    assert "avec-notice" not in text
    _labelled(page.text)


def test_notice_only_after_the_professional_checked(sqlite_client: TestClient) -> None:
    form = {"texte": TEXT, "action": "notice", "task": "explication_patient", "shared": ["medical"],
            "replaced": ["NOM", "DATE_NAISSANCE"], "profession": "médecin"}  # fmt: skip
    refused = sqlite_client.post("/version-patient", data=form)
    assert refused.status_code == 422
    assert "Notice non produite" in html.unescape(refused.text)
    assert "avec-notice" not in refused.text
    page = html.unescape(sqlite_client.post("/version-patient", data={**form, "checked": "oui"}).text)
    notice = page[page.index('class="avec-notice"') :]
    assert "Votre médecin a utilisé un outil d'intelligence artificielle" in notice
    assert "nom de famille et date de naissance" in notice
    assert "a relu le résultat" in notice


def test_validated_answer_is_carried_over_to_the_patient_version(app: FastAPI, client: TestClient) -> None:
    form = {"system_id": "ia_etablissement", "task": "explication_patient", "demande": REQUEST,
            "document": DOCUMENT}  # fmt: skip
    protected = client.post("/proteger", data=form).text
    flow_id = re.search(r'name="flow_id" value="([^"]+)"', protected)
    assert flow_id
    answer = client.post(
        "/reponse", data={"flow_id": flow_id.group(1), "reponse": "Une NFS sera faite."}
    ).text
    assert 'formaction="/version-patient/valider"' in answer
    page = client.post(
        "/version-patient/valider",
        data={"flow_id": flow_id.group(1), "texte_final": "Une NFS sera faite demain.", "note": "4"},
    )
    assert page.status_code == 200
    assert "Réponse validée et enregistrée" in html.unescape(page.text)
    assert "Une NFS sera faite demain." in page.text
    assert '<option value="explication_patient" selected' in page.text
    history = client.get("/historique").text
    assert "validée" in history
    assert "NFS sera faite" not in _rows(app)
    again = client.post("/version-patient/valider", data={"flow_id": flow_id.group(1), "texte_final": "x"})
    assert again.status_code == 422  # the flow is closed


# --- guide keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["apprendre", "verifier", "estimer", "communiquer"])
def test_each_guide_key_has_a_page(sqlite_client: TestClient, slug: str) -> None:
    page = sqlite_client.get(f"/cles/{slug}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Ce que demande le guide" in text and "Ce que fait AVEC" in text and "Ce que vous faites" in text


def test_keys_index_and_unknown_key(sqlite_client: TestClient) -> None:
    index = sqlite_client.get("/cles").text
    for slug in ("apprendre", "verifier", "estimer", "communiquer"):
        assert f'href="/cles/{slug}"' in index
    assert sqlite_client.get("/cles/inconnue").status_code == 404


def test_navigation_links_the_new_pages(sqlite_client: TestClient) -> None:
    home = sqlite_client.get("/").text
    for href in ("/tableau-de-bord", "/catalogue", "/version-patient", "/cles"):
        assert f'<a href="{href}"' in home
