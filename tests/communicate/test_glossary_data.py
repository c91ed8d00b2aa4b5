"""The jargon glossary: at least 300 sourced entries, and a matcher that keeps offsets."""

from __future__ import annotations

import csv
from importlib.resources import files

import pytest

from avec.communicate.glossary import GlossaryError, load_glossary, parse_glossary

HEADER = "term,plain,kind,source,licence\n"


def test_shipped_glossary_has_300_sourced_entries() -> None:
    glossary = load_glossary()
    assert len(glossary) >= 300
    assert all(e.source.strip() and e.licence.strip() and e.plain.strip() for e in glossary.entries)
    assert {e.kind for e in glossary.entries} == {"terme", "sigle"}
    raw = (files("avec") / "data" / "communicate" / "glossary.csv").read_text(encoding="utf-8")
    assert len(list(csv.DictReader(raw.splitlines()))) == len(glossary)


def test_terms_match_whatever_the_case_accents_and_plural() -> None:
    glossary = load_glossary()
    text = "Dyspnee, OEDÈME et des céphalées ; insuffisance   rénale chronique."
    found = [(text[m.start : m.end], m.entry.plain) for m in glossary.find(text)]
    assert ("Dyspnee", "essoufflement") in found
    assert ("céphalées", "mal de tête") in found
    assert ("insuffisance   rénale", "reins qui fonctionnent mal") in found


def test_longest_entry_wins_and_matches_do_not_overlap() -> None:
    glossary = load_glossary()
    text = "Une embolie pulmonaire et une hypotension orthostatique."
    found = [text[m.start : m.end] for m in glossary.find(text)]
    assert found == ["embolie pulmonaire", "hypotension orthostatique"]


def test_abbreviations_match_exactly_and_on_word_boundaries() -> None:
    glossary = load_glossary()
    text = "HTA connue, AVC en 2020 ; hta en minuscules ; AVCs ; SpO2 à 95 %."
    found = [text[m.start : m.end] for m in glossary.find(text)]
    assert found == ["HTA", "AVC", "SpO2"]
    assert glossary.lookup("hta") is None and glossary.lookup("HTA") is not None
    assert glossary.lookup("DYSPNÉE") is glossary.lookup("dyspnée")


def test_words_inside_other_words_are_not_jargon() -> None:
    assert load_glossary().find("Il a constaté une amélioration, sans appréhension.") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("term,plain,kind,source\n", "colonne"),
        (HEADER + "dyspnée,essoufflement,terme,,MIT\n", "vide"),
        (HEADER + "dyspnée,essoufflement,mot,AVEC,MIT\n", "type inconnu"),
        (HEADER + "dyspnée,a,terme,AVEC,MIT\nDyspnee,b,terme,AVEC,MIT\n", "double"),
    ],
)
def test_invalid_glossaries_are_refused(body: str, message: str) -> None:
    with pytest.raises(GlossaryError, match=message):
        parse_glossary(body)
