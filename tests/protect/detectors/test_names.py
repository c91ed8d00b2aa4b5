"""Names: triggers, shapes, particles, lower-case prompts, propagation, clinical words kept."""

from __future__ import annotations

import pytest

from avec.protect.detectors.base import Document
from avec.protect.detectors.names import NameDetector


def found(text: str) -> set[tuple[str, str]]:
    det = NameDetector()
    det.load()
    return {(str(s.label), text[s.start : s.end]) for s in det.detect(Document(text))}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vu en consultation Mme Odile Ferrand pour bilan.", {("PRENOM", "Odile"), ("NOM", "Ferrand")}),
        ("Courrier adressé au Dr Beaumont.", {("NOM", "Beaumont")}),
        ("Pr. J.-M. Lacombe, chef de service", {("PRENOM", "J.-M."), ("NOM", "Lacombe")}),
        ("Patient : GUERIN Marcel, 81 ans", {("NOM", "GUERIN"), ("PRENOM", "Marcel")}),
        ("Sa fille Héloïse Marchetti est présente.", {("PRENOM", "Héloïse"), ("NOM", "Marchetti")}),
        ("Mme Bénédicte de La Tour d'Auvergne", {("PRENOM", "Bénédicte"), ("NOM", "de La Tour d'Auvergne")}),
        ("M. Van der Meulen a appelé.", {("NOM", "Van der Meulen")}),
        ("Signé : Dr Aïssatou N'Diaye", {("PRENOM", "Aïssatou"), ("NOM", "N'Diaye")}),
    ],
)
def test_triggered_names(text: str, expected: set[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_birth_name_after_nee() -> None:
    got = found("Mme Paulette Garnier née Rivière")
    assert ("NOM", "Rivière") in got and ("NOM", "Garnier") in got


def test_lower_case_prompt() -> None:
    got = found("resume le dossier de mme josiane castagnet stp")
    assert {("PRENOM", "josiane"), ("NOM", "castagnet")} <= got


def test_name_without_trigger_by_shape() -> None:
    assert {("PRENOM", "Thibault"), ("NOM", "KERVELLA")} <= found("Entretien avec Thibault KERVELLA ce jour.")
    assert {("NOM", "KERVELLA"), ("PRENOM", "Thibault")} <= found("KERVELLA Thibault, 12 ans")


def test_propagation_to_other_mentions() -> None:
    text = "Mme Rolande Peyrac, 84 ans. Ce jour, Peyrac se plaint de douleurs. PEYRAC refuse."
    got = found(text)
    assert sum(1 for label, value in got if value.lower() == "peyrac") == 2  # set of distinct strings
    det = NameDetector()
    spans = det.detect(Document(text))
    assert len([s for s in spans if text[s.start : s.end].lower() == "peyrac"]) == 3


def test_surname_that_is_a_common_word() -> None:
    text = "Mme Petit présente un petit épanchement pleural."
    spans = NameDetector().detect(Document(text))
    assert [(text[s.start : s.end]) for s in spans] == ["Petit"]


@pytest.mark.parametrize(
    "text",
    [
        "Maladie de Parkinson évoluée, signe de Lasègue négatif, drain de Redon retiré.",
        "Score de Glasgow à 15, syndrome de Gougerot-Sjögren connu.",
        "Traitement : Kardégic 75 mg, Eliquis 5 mg, Doliprane 1 g.",
        "CONCLUSION : TRAITEMENT DE SORTIE inchangé.",
        "Faire pratiquer par IDE à domicile : prise de sang.",
        "Madame, Monsieur, je vous adresse ce courrier.",
        "Lymphome de Hodgkin stade III B.",
        "Il a consulté le Vidal pour vérifier la posologie.",
    ],
)
def test_clinical_and_ordinary_text_is_kept(text: str) -> None:
    assert found(text) == set()


def test_role_word_that_is_a_surname_after_a_title() -> None:
    assert found("Dr Lucien Cousin, neurologue") == {("PRENOM", "Lucien"), ("NOM", "Cousin")}


def test_spans_are_inside_text_and_do_not_cross_lines() -> None:
    text = "Dr Anne\nMARTINEZ\nTél"
    for span in NameDetector().detect(Document(text)):
        assert "\n" not in text[span.start : span.end]
