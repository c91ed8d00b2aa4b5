"""The explicitness lint: five criteria, French cues with or without accents, one tip per gap."""

from __future__ import annotations

import pytest

from avec.prompting import lint, missing


def _present(request: str, document: str = "") -> dict[str, bool]:
    return {i.key: i.present for i in lint(request, document)}


def test_empty_request_misses_everything_with_a_tip_each() -> None:
    items = lint("")
    assert [i.key for i in items] == ["contexte", "objectif", "sources", "format", "destinataire"]
    assert missing(items) == items
    assert all(i.tip_fr and len(i.tip_fr) < 110 for i in items)


def test_a_complete_request() -> None:
    request = (
        "Je suis infirmière en EHPAD. Explique, en t'appuyant sur la recommandation HAS ci-dessous, "
        "le traitement en 5 phrases simples pour la famille."
    )
    assert all(_present(request).values())


def test_cues_match_without_accents_and_in_capitals() -> None:
    assert _present("REDIGE UN COURRIER")["objectif"]
    assert _present("redige un courrier pour le medecin traitant")["destinataire"]


@pytest.mark.parametrize(
    ("request_text", "key"),
    [
        ("En tant que pharmacien hospitalier, je cherche", "contexte"),
        ("Peux-tu résumer ce texte ?", "objectif"),
        ("Cite tes sources (PubMed).", "sources"),
        ("Réponds sous forme de tableau.", "format"),
        ("Le destinataire est la MDPH.", "destinataire"),
    ],
)
def test_each_criterion_has_cues(request_text: str, key: str) -> None:
    assert _present(request_text)[key]


def test_a_pasted_document_counts_as_sources() -> None:
    assert not _present("Résume.")["sources"]
    assert _present("Résume.", "Compte rendu : ...")["sources"]


def test_words_inside_other_words_do_not_count() -> None:
    # "plan" must not match inside "planifier", nor "has" inside "phase".
    present = _present("planifier une phase")
    assert not present["format"]
    assert not present["sources"]
