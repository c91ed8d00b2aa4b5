"""End to end in Debian's Chromium: the whole companion flow, as a professional would run it.

``avec serve`` runs in a subprocess on a free port with a temporary data folder (default SQLite).
Screenshots of each step go to ``tests/artifacts/e2e/`` (git-ignored).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from clinical import DOCUMENT, IDENTIFIERS, NIR, REQUEST, SURNAME
from served import CHROMIUM, LAUNCH_ARGS, serve_companion

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "e2e"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent (apt-get install chromium)"),
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``avec serve`` on a free port; yields its URL and its data folder."""
    data_dir = tmp_path / "data"
    with serve_companion(data_dir, tmp_path / "server.log") as url:
        yield url, data_dir


def _dump(db: Path) -> dict[str, list[dict[str, object]]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: [dict(r) for r in conn.execute(f'SELECT * FROM "{t}"')] for t in tables}
    finally:
        conn.close()


def test_whole_flow_in_the_browser(server: tuple[str, Path]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright absent : pip install playwright")
    url, data_dir = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
        page = context.new_page()
        expect = sync_api.expect

        # 1. Choose: keyboard first — the skip link is the first stop and is visible when focused.
        page.goto(url + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        expect(page.locator("a.skip")).to_be_in_viewport()
        # Fields are reached by their labels, as assistive technologies do.
        page.get_by_label("Système d'IA utilisé").select_option("ia_etablissement")
        page.get_by_label("Tâche", exact=True).select_option("resume_cr")
        page.screenshot(path=str(ARTIFACTS / "01-choisir.png"), full_page=True)

        # 2. Write: identifiers are highlighted in place as the user types.
        page.get_by_label("Votre demande à l'IA").fill(REQUEST)
        page.get_by_label("Document à transmettre").fill(DOCUMENT)
        backdrop = page.locator('.hl-backdrop[data-for="document"] mark')
        expect(backdrop.filter(has_text=SURNAME)).to_have_count(1, timeout=30_000)
        expect(backdrop.filter(has_text=NIR)).to_have_count(1)
        expect(page.locator("#found-identifiers")).to_contain_text("numéro de sécurité sociale (NIR) : 1")
        expect(page.locator('#checklist li[data-key="destinataire"]')).to_have_class("ok")
        page.screenshot(path=str(ARTIFACTS / "02-ecrire.png"), full_page=True)

        # 3. Protect: nothing identifying in what will be sent; copy it.
        page.get_by_role("button", name="Protéger le texte").click()
        protected = page.input_value("#protected")
        for identifier in IDENTIFIERS:
            assert identifier not in protected
        assert "paracétamol 1 g 6 fois par jour" in protected
        page.get_by_role("button", name="Copier le texte protégé").click()
        expect(page.locator(".copy-status")).to_contain_text("Copié")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == protected
        page.screenshot(path=str(ARTIFACTS / "03-proteger.png"), full_page=True)

        # 4. Paste the chatbot's answer (written with the surrogates): restored and verified.
        page.get_by_label("Réponse de l'IA").fill("Synthèse pour le médecin traitant :\n" + copied)
        page.get_by_role("button", name="Restituer et vérifier").click()
        restored = page.input_value("#texte_final")
        view = page.inner_text("#answer-view")
        for identifier in IDENTIFIERS:
            assert identifier in restored
            assert identifier in view
        expect(page.locator(".alert.banner")).to_contain_text("proposition à contrôler")
        dose = page.locator('li[data-type="DOSE_OVER_MAX"]')
        expect(dose).to_have_count(1)
        expect(dose).to_contain_text("Clé : Vérifier")
        expect(page.locator("mark.finding").first).to_contain_text("6 fois par jour")
        page.screenshot(path=str(ARTIFACTS / "04-reponse.png"), full_page=True)

        # 5. Validate: correct the dose in place, rate, validate.
        corrected = restored.replace("6 fois par jour", "4 fois par jour")
        page.get_by_label("Texte final (modifiable)").fill(corrected)
        page.get_by_label("4", exact=True).check()
        page.screenshot(path=str(ARTIFACTS / "05-valider.png"), full_page=True)
        # Keyboard only: focus the button and press Enter.
        page.get_by_role("button", name="Valider", exact=True).focus()
        page.keyboard.press("Enter")

        # 6. History: the decision is listed, without any identifying text.
        expect(page.locator("#history")).to_contain_text("validée")
        history = page.content()
        for identifier in IDENTIFIERS:
            assert identifier not in history
        page.screenshot(path=str(ARTIFACTS / "06-historique.png"), full_page=True)
        browser.close()

    tables = _dump(data_dir / "avec.sqlite3")
    assert tables["vault_blobs"] == []
    everything = repr(tables)
    for identifier in (*IDENTIFIERS, "pneumopathie", "Synthèse"):
        assert identifier not in everything
    [row] = tables["interactions"]
    assert row["outcome"] == "validated"
    assert row["rating"] == 4
    assert '"DOSE_OVER_MAX": 1' in str(row["finding_counts"])
    assert '"SECU": 1' in str(row["data_categories"])
    assert 0 < float(str(row["correction_ratio"])) < 0.05
