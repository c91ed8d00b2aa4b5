"""In Debian's Chromium: the dashboard, the catalogue editor and the patient version, by keyboard and
by labels. ``avec serve`` runs on a journal seeded with a few weeks of use; screenshots go to
``tests/artifacts/practice/`` (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from practice_data import fill_recent
from served import CHROMIUM, LAUNCH_ARGS, serve_companion

from avec.journal import make_engine, upgrade

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "practice"
PATIENT_TEXT = (
    "Vous avez eu une pneumopathie. Le traitement par antibiotiques doit être poursuivi pendant sept jours, "
    "avec une surveillance de la température matin et soir et une consultation chez votre médecin traitant "
    "si la fièvre persiste après trois jours. Une NFS sera faite."
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``avec serve`` on a free port over a seeded journal; yields its URL and data folder."""
    tmp = tmp_path_factory.mktemp("practice")
    data_dir = tmp / "data"
    data_dir.mkdir()
    engine = make_engine(f"sqlite:///{data_dir / 'avec.sqlite3'}")
    upgrade(engine)
    fill_recent(engine)
    engine.dispose()
    with serve_companion(data_dir, tmp / "server.log") as url:
        yield url, data_dir


@pytest.fixture
def page(server: tuple[str, Path]) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright absent : pip install playwright")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        yield context.new_page()
        browser.close()


def test_dashboard_in_the_browser(server: tuple[str, Path], page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    url, _ = server
    page.goto(url + "/")
    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()
    # Charts are images with a name, and each has its data as a table.
    expect(page.get_by_role("img", name="Usages par tâche")).to_be_visible()
    expect(
        page.get_by_role("img", name="Taux de correction moyen par semaine (réponses validées)")
    ).to_be_visible()
    expect(page.locator("#chart-empreinte")).to_be_visible()
    details = page.locator("#data-taches")
    details.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(details.get_by_role("row", name="Courrier")).to_contain_text("3")
    expect(page.locator("#footprint-table")).to_contain_text("Wh")
    page.screenshot(path=str(ARTIFACTS / "01-tableau-de-bord.png"), full_page=True)

    # An objective, by its labels; the progress bar shows where it stands.
    page.get_by_label("Indicateur").select_option("correction_ratio_max")
    page.get_by_label("Cible").fill("15")
    page.get_by_label("Tâche de l'objectif").select_option("courrier")
    page.get_by_role("button", name="Ajouter l'objectif").click()
    expect(page.get_by_role("status")).to_contain_text("Objectif enregistré")
    expect(page.locator("#objectives progress")).to_have_attribute("value", "75")

    # Report an AI error, keyboard only for the submit.
    page.get_by_label("Type d'erreur").select_option("dose_erronee")
    page.get_by_label("Gravité").select_option("grave")
    page.get_by_role("button", name="Signaler l'erreur").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#errors")).to_contain_text("dose ou posologie erronée")

    # Download the PDF report of the period.
    page.get_by_label("Format").select_option("pdf")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger le rapport").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.screenshot(path=str(ARTIFACTS / "02-objectif-et-erreur.png"), full_page=True)


def test_catalogue_editor_in_the_browser(server: tuple[str, Path], page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    url, data_dir = server
    page.goto(url + "/catalogue")
    expect(page.locator("#systeme-chatgpt")).to_contain_text("à vérifier (2026-11-29)")
    page.get_by_role("link", name="Ajouter un système").click()
    page.get_by_label("Identifiant court").fill("ia_contrat")
    page.get_by_label("Nom affiché").fill("IA sous contrat HDS")
    page.get_by_label("Éditeur").fill("Éditeur exemple")
    page.get_by_label("Courrier").check()
    page.get_by_label("Résumé de compte rendu").check()
    page.locator("#health-oui").check()
    page.locator("#hds_hosting-oui").check()
    page.locator("#data_in_eu-oui").check()
    page.locator("#no_training_on_user_data-oui").check()
    page.get_by_label("Date des informations").fill("2026-11-20")
    page.screenshot(path=str(ARTIFACTS / "03-catalogue-editeur.png"), full_page=True)
    page.get_by_role("button", name="Enregistrer le système").click()
    expect(page.get_by_role("status")).to_contain_text("Système enregistré")
    card = page.locator("#systeme-ia_contrat")
    expect(card).to_contain_text("IA sous contrat HDS")
    expect(card).to_contain_text("à vérifier (2026-11-20)")
    saved = yaml.safe_load((data_dir / "catalog.yaml").read_text(encoding="utf-8"))
    assert any(s["id"] == "ia_contrat" and s["hds_hosting"] is True for s in saved["systems"])

    # The questionnaire now ranks it first for a letter with health data in an HDS host.
    page.locator("#q-require_hds-oui").check()
    page.get_by_role("button", name="Classer les systèmes").click()
    expect(page.locator("#ranking li").first).to_have_attribute("data-system", "ia_contrat")
    page.screenshot(path=str(ARTIFACTS / "04-catalogue-classement.png"), full_page=True)


def test_patient_version_in_the_browser(server: tuple[str, Path], page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    url, _ = server
    page.goto(url + "/version-patient")
    page.get_by_label("Texte validé à adapter").fill(PATIENT_TEXT)
    page.get_by_role("button", name="Analyser la lisibilité").click()
    expect(page.locator("#indices")).to_contain_text("Kandel")
    marks = page.locator("#patient-view mark.plain")
    expect(marks.filter(has_text="pneumopathie")).to_have_count(1)
    expect(marks.filter(has_text="NFS")).to_have_count(1)
    expect(page.locator("#patient-view .long")).to_have_count(1)
    # A mark leads to its proposal.
    marks.filter(has_text="pneumopathie").get_by_role("link").click()
    expect(page.locator("#issues li:target")).to_contain_text("Mot courant proposé")
    page.screenshot(path=str(ARTIFACTS / "05-version-patient.png"), full_page=True)

    # The notice only after the professional confirms the check.
    page.get_by_role("button", name="Produire la notice").click()
    expect(page.get_by_role("alert")).to_contain_text("Notice non produite")
    expect(page.locator(".avec-notice")).to_have_count(0)
    page.get_by_label("Vous êtes").select_option("médecin")
    page.get_by_label("J'ai relu et corrigé ce texte ; j'en suis responsable.").check()
    page.get_by_role("button", name="Produire la notice").click()
    expect(page.locator(".avec-notice")).to_contain_text(
        "Votre médecin a utilisé un outil d'intelligence artificielle"
    )
    page.screenshot(path=str(ARTIFACTS / "06-notice.png"), full_page=True)
