"""Street part, postal code and city of postal addresses."""

from __future__ import annotations

import pytest

from avec.protect.detectors.addresses import AddressDetector
from avec.protect.detectors.base import Document


def found(text: str) -> list[tuple[str, str]]:
    return [(s.label, text[s.start : s.end]) for s in AddressDetector().detect(Document(text))]


@pytest.mark.parametrize(
    ("text", "street", "zipcode", "city"),
    [
        ("domicilié 12 rue de la Paix, 75002 Paris.", "12 rue de la Paix", "75002", "Paris"),
        ("Adresse : 65 bis, avenue Labbé\n13100 AIX-EN-PROVENCE\n", "65 bis, avenue Labbé", "13100",
         "AIX-EN-PROVENCE"),
        ("Dr X, 3 ter bd Gambetta - 85000 La Roche-sur-Yon", "3 ter bd Gambetta", "85000",
         "La Roche-sur-Yon"),
        ("Copie : Dr Y, lieu-dit Le Bourg, 29000 Quimper", "lieu-dit Le Bourg", "29000", "Quimper"),
        ("vit 37, chemin de la Croix-Blanche, bât. B, 86000 POITIERS",
         "37, chemin de la Croix-Blanche, bât. B", "86000", "POITIERS"),
        ("74, rue Nationale, appt 12 - 06000 Nice", "74, rue Nationale, appt 12", "06000", "Nice"),
        ("8 allée des Tilleuls, résidence Les Pins, 44000 NANTES", "8 allée des Tilleuls, résidence Les Pins",
         "44000", "NANTES"),
        ("12 impasse de l'Église, 20000 Ajaccio", "12 impasse de l'Église", "20000", "Ajaccio"),
        ("5 place du Marché, 76600 Le Havre", "5 place du Marché", "76600", "Le Havre"),
    ],
)
def test_full_addresses(text: str, street: str, zipcode: str, city: str) -> None:
    assert found(text) == [("ADRESSE", street), ("ZIP", zipcode), ("VILLE", city)]


def test_lowercase_prompt_address() -> None:
    text = "patiente domiciliee 4 rue des lilas 44000 nantes, diabetique"
    assert found(text) == [("ADRESSE", "4 rue des lilas"), ("ZIP", "44000"), ("VILLE", "nantes")]


def test_street_name_stops_before_other_words() -> None:
    text = "Mme B., 14 avenue Jean Jaurès pour avis."
    assert found(text) == [("ADRESSE", "14 avenue Jean Jaurès")]


def test_cedex_kept_with_city() -> None:
    text = "CHU, 1 place Alexis-Ricordeau, 44093 Nantes Cedex 1"
    assert ("VILLE", "Nantes Cedex 1") in found(text)


def test_postal_code_after_cp() -> None:
    assert found("CP : 35000 rennes") == [("ZIP", "35000"), ("VILLE", "rennes")]


@pytest.mark.parametrize(
    "text",
    [
        "Héparine 100 000 UI par jour",
        "Plaquettes 25000 UI",
        "compte 12345 patients inclus",
        "mise en place d'une sonde",
        "sortie vers la Résidence du Parc.",
        "rue de la République",
    ],
)
def test_no_address_without_address_context(text: str) -> None:
    assert found(text) == []
