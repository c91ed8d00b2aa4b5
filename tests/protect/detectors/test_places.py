"""Establishments and cities named by context."""

from __future__ import annotations

import pytest

from avec.protect.detectors.base import Document
from avec.protect.detectors.places import CityDetector, HospitalDetector


def hospitals(text: str) -> list[str]:
    det = HospitalDetector()
    det.load()
    return [text[s.start : s.end] for s in det.detect(Document(text))]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Transfert au CHU de Clermont-Ferrand - service", "CHU de Clermont-Ferrand"),
        ("Hospitalisée au Centre hospitalier de Saint-Brieuc.", "Centre hospitalier de Saint-Brieuc"),
        ("Résidente de l'EHPAD Les Jardins de Sophia depuis 2019", "EHPAD Les Jardins de Sophia"),
        ("suivie à la Clinique Sainte-Marguerite, Hyères", "Clinique Sainte-Marguerite"),
        ("Adressé par l'Hôpital Necker-Enfants malades", "Hôpital Necker-Enfants malades"),
        ("Prise en charge à Gustave Roussy", "Gustave Roussy"),
        ("Polyclinique de l'Estuaire, bloc 3", "Polyclinique de l'Estuaire"),
        ("CHR d'Orléans", "CHR d'Orléans"),
    ],
)
def test_establishments(text: str, name: str) -> None:
    assert hospitals(text) == [name]


@pytest.mark.parametrize(
    "text", ["Hôpital de jour le 12.", "le centre hospitalier a appelé", "retour au domicile"]
)
def test_no_establishment(text: str) -> None:
    assert hospitals(text) == []


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Née le 3 mars 1950 à Quimperlé, veuve.", "Quimperlé"),
        ("Il vit à Saint-Jean-de-Luz avec sa femme.", "Saint-Jean-de-Luz"),
        ("Originaire de La Roche-sur-Yon.", "La Roche-sur-Yon"),
        ("Domiciliée à Aix-en-Provence", "Aix-en-Provence"),
    ],
)
def test_cities_by_context(text: str, city: str) -> None:
    spans = CityDetector().detect(Document(text))
    assert [text[s.start : s.end] for s in spans] == [city]


def test_home_is_not_a_city() -> None:
    assert CityDetector().detect(Document("Elle vit à domicile avec son mari.")) == []


@pytest.mark.parametrize(
    ("text", "city", "zip_code"),
    [
        ("Il habite au 59, impasse des Roses à Tours (37000) depuis 2010.", "Tours", "37000"),
        ("Patient de Lorient (56100), adressé pour bilan.", "Lorient", "56100"),
    ],
)
def test_city_with_postal_code_in_brackets(text: str, city: str, zip_code: str) -> None:
    from avec.protect.pipeline import default_pipeline

    found = {(str(s.label), text[s.start : s.end]) for s in default_pipeline().detect(text)}
    assert {("VILLE", city), ("ZIP", zip_code)} <= found


def test_town_after_a_street() -> None:
    from avec.protect.pipeline import default_pipeline

    text = "Elle réside 4 rue Haute à Vannes avec sa fille."
    found = {(str(s.label), text[s.start : s.end]) for s in default_pipeline().detect(text)}
    assert ("VILLE", "Vannes") in found
