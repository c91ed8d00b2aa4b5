"""Dates and dates of birth in French clinical texts."""

from __future__ import annotations

import pytest

from avec.protect.detectors.base import Document
from avec.protect.detectors.dates import DateDetector


def dates(text: str) -> list[tuple[str, str]]:
    return [(s.label, text[s.start : s.end]) for s in DateDetector().detect(Document(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sortie le 12/03/2024.", "12/03/2024"),
        ("Sortie le 12-03-2024.", "12-03-2024"),
        ("Sortie le 12.03.24, RAS.", "12.03.24"),
        ("Sortie le 12/03/24, RAS.", "12/03/24"),
        ("Prélèvement du 2024-03-12", "2024-03-12"),
        ("Vu en consultation le 12 mars 2024.", "12 mars 2024"),
        ("Vu le 1er mars 2024.", "1er mars 2024"),
        ("Revu le 12 mars pour contrôle.", "12 mars"),
        ("Symptômes depuis mars 2024.", "mars 2024"),
        ("Bilan prévu le 3/4, à jeun.", "3/4"),
        ("Fait le douze mars deux mille vingt.", "douze mars deux mille vingt"),
        ("Consultation du lundi 12 mars, RAS.", "lundi 12 mars"),
        ("Hospitalisé le 5 janv. 2023 puis revu", "5 janv. 2023"),
        ("rdv le 14 fevrier 2025 avec le dr", "14 fevrier 2025"),
        ("revu le 3 aout", "3 aout"),
        ("le 21 DÉCEMBRE 2022", "21 DÉCEMBRE 2022"),
        ("Date : 16/5\n", "16/5"),
    ],
)
def test_date_forms(text: str, expected: str) -> None:
    assert dates(text) == [("DATE", expected)]


def test_times_are_not_part_of_dates() -> None:
    assert dates("Entrée le 12/03/2024 à 14h30.") == [("DATE", "12/03/2024")]


@pytest.mark.parametrize(
    "text",
    [
        "EVA 6/10 au repos",
        "TA 13/8 ce matin",
        "TA : 12/7, FC 80",
        "MMSE 18/30, GIR 2",
        "Paracétamol 1 g 3/j",
        "Seresta 10 mg : 1/2 comprimé le soir",
        "score de Glasgow à 14/15",
        "le 31/02/2021",
        "pendant 2 à 3 mois en 2019",
        "à 14h30",
    ],
)
def test_scores_doses_and_times_are_not_dates(text: str) -> None:
    assert dates(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M. Paul Martin, né le 03/05/1951, vu ce jour.", "03/05/1951"),
        ("Mme Durand née le 4 juin 1938 à Nantes", "4 juin 1938"),
        ("Patient né(e) le 12.11.47", "12.11.47"),
        ("DDN : 20/01/88 - IPP 123", "20/01/88"),
        ("Date de naissance : 15 juillet 1960", "15 juillet 1960"),
        ("Mme Claire LEROUX (30.03.1946), domiciliée à Brest", "30.03.1946"),
        ("Patient : M. Luc BRUN - 03/05/1981 - IPP 52458034", "03/05/1981"),
        ("patiente : mme. anne petit - 24/05/1973 - ipp 47008353", "24/05/1973"),
        ("le patient Marc LEFEBVRE (75 ans, 3 juillet 1948), hospitalisé", "3 juillet 1948"),
        ("patiente née en 1947, veuve", "1947"),
    ],
)
def test_birth_dates_by_context(text: str, expected: str) -> None:
    assert ("DATE_NAISSANCE", expected) in dates(text)
    assert all(label == "DATE_NAISSANCE" for label, value in dates(text) if value == expected)


def test_event_dates_next_to_birth_date_keep_their_label() -> None:
    text = "M. Paul Martin, né le 03/05/1951, hospitalisé du 12/03/2024 au 15/03/2024."
    assert dates(text) == [
        ("DATE_NAISSANCE", "03/05/1951"),
        ("DATE", "12/03/2024"),
        ("DATE", "15/03/2024"),
    ]


def test_recent_date_after_a_city_is_not_a_birth_date() -> None:
    assert dates("Rennes, 12/03/2024") == [("DATE", "12/03/2024")]
