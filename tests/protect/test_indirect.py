"""Indirect identifiers: quasi-identifiers are flagged (never removed) and scored together."""

from __future__ import annotations

import pytest

from avec.protect.indirect import (
    Category,
    IndirectRisk,
    QuasiIdentifier,
    RiskLevel,
    assess,
    find_quasi_identifiers,
    iter_explanations,
    rules,
    score,
)
from avec.text import Span


def found(text: str, spans: list[Span] | None = None) -> set[tuple[str, Category]]:
    """Flagged substrings with their category, as a whole set."""
    return {(text[q.start : q.end], q.category) for q in find_quasi_identifiers(text, spans or [])}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ancien boulanger, vit seul.", {("Ancien boulanger", Category.PROFESSION)}),
        ("Elle est l'ancienne institutrice.", {("ancienne institutrice", Category.PROFESSION)}),
        ("Il est maire de la commune.", {("maire", Category.PROFESSION)}),
        ("Pilote de ligne en arrêt de travail.", {("Pilote de ligne", Category.PROFESSION)}),
        ("footballeur professionnel blessé au genou", {("footballeur professionnel", Category.PROFESSION)}),
        ("Agriculteur à la retraite.", {("Agriculteur à la retraite", Category.PROFESSION)}),
    ],
)
def test_professions(text: str, expected: set[tuple[str, Category]]) -> None:
    assert found(text) == expected


def test_common_trade_without_cue_is_the_care_team_not_flagged() -> None:
    assert found("Vu par l'infirmière et le pharmacien ce matin.") == set()


@pytest.mark.parametrize(
    ("text", "expected", "weight"),
    [
        ("Patiente de 87 ans, chute.", "87 ans", 1),
        ("Homme âgé de 93 ans.", "93 ans", 2),
        ("Elle est centenaire.", "centenaire", 2),
        ("nourrisson de 3 mois, fièvre", "nourrisson de 3 mois", 1),
    ],
)
def test_ages(text: str, expected: str, weight: int) -> None:
    (q,) = find_quasi_identifiers(text, [])
    assert (text[q.start : q.end], q.category, q.weight) == (expected, Category.AGE, weight)


@pytest.mark.parametrize(
    "text",
    [
        "Diabète connu depuis 3 ans.",
        "Hospitalisée il y a 2 ans.",
        "Tabagisme pendant 20 ans, sevré.",
        "Contrôle tous les 5 ans.",
        "Traitement de 1,5 ans.",
    ],
)
def test_durations_are_not_ages(text: str) -> None:
    assert found(text) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Suivi pour progeria.", "progeria"),
        ("maladie de huntington confirmée", "maladie de huntington"),
        ("Sclérose latérale amyotrophique évoluée.", "Sclérose latérale amyotrophique"),
        ("sclerose laterale amyotrophique (tape sans accents)", "sclerose laterale amyotrophique"),
    ],
)
def test_rare_diseases_flagged_with_heavy_weight(text: str, expected: str) -> None:
    (q,) = find_quasi_identifiers(text, [])
    assert (text[q.start : q.end], q.category, q.weight) == (expected, Category.MALADIE_RARE, 2)


def test_common_diseases_not_flagged() -> None:
    assert found("Maladie de Parkinson, diabète de type 2, HTA.") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vit dans un petit village.", "petit village"),
        ("Seul médecin du village.", "Seul médecin du village"),
        ("Habite au lieu-dit Les Granges.", "lieu-dit Les Granges"),
        ("commune de 250 habitants", "commune de 250 habitants"),
    ],
)
def test_small_places(text: str, expected: str) -> None:
    (q,) = find_quasi_identifiers(text, [])
    assert q.category is Category.PETIT_LIEU
    assert text[q.start : q.end].lower().startswith(expected.lower())


def test_large_commune_is_not_a_small_place() -> None:
    assert found("commune de 40 000 habitants") == set()


def test_events_dated_or_publicised_weigh_more() -> None:
    text = "Accident de la route du 12 mars, dont la presse a parlé. Incendie du garage."
    weights = {text[q.start : q.end]: q.weight for q in find_quasi_identifiers(text, [])}
    assert weights == {"Accident de la route": 2, "dont la presse a parlé": 2, "Incendie": 1}


def test_clinical_accidents_are_not_events() -> None:
    assert found("Accident vasculaire cérébral, effondrement de l'état général.") == set()


def test_family_details() -> None:
    text = "Veuve, mère de 9 enfants, a des jumeaux."
    assert found(text) == {
        ("Veuve", Category.FAMILLE),
        ("mère de 9 enfants", Category.FAMILLE),
        ("jumeaux", Category.FAMILLE),
    }


def test_origin_needs_a_nationality_not_a_clinical_origin() -> None:
    assert found("Douleur d'origine mécanique.") == set()
    assert found("Patient d'origine malienne, demandeur d'asile.") == {
        ("d'origine malienne", Category.ORIGINE),
        ("demandeur d'asile", Category.ORIGINE),
    }


def test_details_inside_redacted_spans_are_dropped() -> None:
    text = "Ancien boulanger au village."
    assert found(text, [Span(0, 16, "NOM")]) == {("village", Category.PETIT_LIEU)}


def test_flagged_not_removed_and_offsets_point_into_text() -> None:
    text = "Mme [NOM_1], 91 ans, atteinte de progeria."
    risk = assess(text, [])
    for q in risk.quasi_identifiers:
        assert text[q.start : q.end].strip() == text[q.start : q.end]
    assert "progeria" in text  # assess never rewrites the text


def test_level_low_without_or_with_one_common_detail() -> None:
    assert assess("Douleur thoracique, ECG normal.", []).level is RiskLevel.FAIBLE
    assert assess("Patient de 54 ans, douleur thoracique.", []).level is RiskLevel.FAIBLE


def test_level_moderate_with_one_rare_detail_or_two_categories() -> None:
    assert assess("Suivi pour progeria.", []).level is RiskLevel.MODERE
    assert assess("Patient de 54 ans, veuf.", []).level is RiskLevel.MODERE


def test_level_high_when_age_small_place_and_profession_combine() -> None:
    text = "Patient de 87 ans, ancien boulanger, seul commerçant du village."
    risk = assess(text, [Span(0, 7, "NOM")])
    assert risk.level is RiskLevel.ELEVE
    assert risk.categories == {Category.AGE, Category.PROFESSION, Category.PETIT_LIEU}
    assert "k-anonymat" in risk.explanation_fr


def test_direct_identifiers_counted_by_label() -> None:
    text = "Jean Dupont, 87 ans."
    risk = assess(text, [Span(0, 4, "PRENOM"), Span(5, 11, "NOM")])
    assert risk.direct_counts == {"NOM": 1, "PRENOM": 1}
    assert "1 nom de famille" in risk.explanation_fr


def test_explanations_never_quote_the_text() -> None:
    text = "Patiente de 97 ans, ancienne institutrice, lieu-dit Kervinou, progeria."
    risk = assess(text, [])
    quoted = [text[q.start : q.end] for q in risk.quasi_identifiers]
    messages = [risk.explanation_fr, *iter_explanations(risk)]
    assert not [m for m in messages for piece in quoted if piece.lower() in m.lower()]


def test_score_is_a_pure_function_of_categories_and_weights() -> None:
    common = [QuasiIdentifier(0, 1, Category.AGE, 1, ""), QuasiIdentifier(2, 3, Category.FAMILLE, 1, "")]
    assert score([])[0] is RiskLevel.FAIBLE
    assert score(common[:1])[0] is RiskLevel.FAIBLE
    assert score(common)[0] is RiskLevel.MODERE
    rare = QuasiIdentifier(4, 5, Category.MALADIE_RARE, 2, "")
    assert score([*common, rare])[0] is RiskLevel.ELEVE


def test_quasi_identifier_checks_itself() -> None:
    with pytest.raises(ValueError, match="position"):
        QuasiIdentifier(3, 3, Category.AGE, 1, "")
    with pytest.raises(ValueError, match="poids"):
        QuasiIdentifier(0, 3, Category.AGE, 5, "")


def test_every_category_has_rules() -> None:
    assert {r.category for r in rules()} == set(Category)


def test_risk_is_immutable() -> None:
    risk = assess("", [])
    assert isinstance(risk, IndirectRisk)
    with pytest.raises(AttributeError):
        risk.level = RiskLevel.ELEVE  # type: ignore[misc]
