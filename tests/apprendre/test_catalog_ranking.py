"""Evaluation grid and needs questionnaire ranking the catalogue's systems, with reasons."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from avec.apprendre.grid import Criterion, SystemProfile, profile_from_system
from avec.apprendre.ranking import QUESTIONS, Needs, QuestionnaireError, needs_from_answers, rank_systems
from avec.catalog import load_catalog

ALL_TASKS = frozenset({"courrier", "resume_cr"})


def _profile(sid: str, uses: frozenset[str] = ALL_TASKS, **answers: bool | None) -> SystemProfile:
    grid = {c: answers.get(c.value) for c in Criterion}
    return SystemProfile(sid, sid.upper(), uses, grid)


SOVEREIGN = _profile(
    "souverain", health_data_allowed=True, hds_hosting=True, data_in_eu=True,
    no_training_on_user_data=True, gdpr_agreement=True, environmental_transparency=True,
)  # fmt: skip
CLOUD = _profile(
    "cloud", health_data_allowed=True, hds_hosting=False, data_in_eu=True, no_training_on_user_data=True,
)  # fmt: skip
PUBLIC = _profile("public", health_data_allowed=False, no_training_on_user_data=False)
UNKNOWN = _profile("inconnu", health_data_allowed=True)


def test_best_documented_system_comes_first_with_reasons() -> None:
    ranking = rank_systems([PUBLIC, CLOUD, SOVEREIGN, UNKNOWN], Needs(task="courrier"))
    assert [r.system_id for r in ranking.systems] == ["souverain", "cloud", "inconnu", "public"]
    best = ranking.systems[0]
    assert best.eligible and best.score == 100.0
    assert "hébergement certifié pour les données de santé (HDS)" in best.reasons_for
    assert best.reasons_against == () and best.to_check == ()


def test_stated_requirements_exclude_and_say_why() -> None:
    ranking = rank_systems([SOVEREIGN, CLOUD, PUBLIC], Needs(task="courrier", require_hds=True))
    by_id = {r.system_id: r for r in ranking.systems}
    assert not by_id["cloud"].eligible
    assert "pas d'hébergement certifié HDS (exigé)" in by_id["cloud"].reasons_against
    assert not by_id["public"].eligible
    assert (
        "votre organisation ne l'autorise pas pour des données de santé (exigé)"
        in by_id["public"].reasons_against
    )
    assert [r.system_id for r in ranking.systems if r.eligible] == ["souverain"]


def test_unknown_answers_are_not_yes_and_are_flagged_for_checking() -> None:
    (ranked,) = rank_systems([UNKNOWN], Needs(task="courrier", require_eu=True)).systems
    assert ranked.eligible  # not excluded on an unknown...
    assert ranked.score == 25.0  # ...but only what is documented earns points
    assert "Données traitées dans l'Union européenne (exigé : à vérifier avant usage)" in ranked.to_check


def test_task_outside_intended_uses_is_excluded() -> None:
    letters_only = _profile("lettres", frozenset({"courrier"}), health_data_allowed=True)
    (ranked,) = rank_systems([letters_only], Needs(task="resume_cr")).systems
    assert not ranked.eligible
    assert ranked.reasons_against[0].startswith("non prévu par votre organisation")


def test_environment_weight_changes_the_order() -> None:
    green = _profile("vert", health_data_allowed=True, environmental_transparency=True)
    eu = _profile("ue", health_data_allowed=True, data_in_eu=True)
    low = rank_systems([green, eu], Needs(task="courrier", environment=0))
    high = rank_systems([green, eu], Needs(task="courrier", environment=2))
    assert [r.system_id for r in low.systems] == ["ue", "vert"]
    assert [r.system_id for r in high.systems] == ["vert", "ue"]


def test_warnings_for_clinical_decisions_and_no_eligible_system() -> None:
    ranking = rank_systems([PUBLIC], Needs(task="courrier", clinical_decision=True))
    assert any("dispositif médical" in w for w in ranking.warnings)
    assert any("Aucun système" in w for w in ranking.warnings)


def test_catalogue_systems_are_read_through_the_grid() -> None:
    catalog = load_catalog()
    ranking = rank_systems(catalog, Needs(task="courrier"))
    assert ranking.systems[0].system_id == "ia_etablissement"  # the only one allowed for health data
    assert any("à vérifier" in w for w in ranking.warnings)
    profile = profile_from_system(catalog[0])
    assert profile.answers[Criterion.HEALTH_DATA] is True and profile.answers[Criterion.HDS_HOSTING] is None


def test_richer_catalogue_fields_are_read_when_present() -> None:
    # Another catalogue's shape: aliases such as ``trains_on_user_data`` (read inverted). AVEC's
    # own System now carries ``no_training_on_user_data`` itself (see tests/catalog).
    @dataclass(frozen=True)
    class Richer:
        id: str
        name: str
        intended_uses: frozenset[str]
        health_data_allowed: bool
        hds_hosting: bool = True
        trains_on_user_data: bool = True

    system = Richer("x", "X", frozenset({"courrier"}), True)
    profile = profile_from_system(system)
    assert profile.answers[Criterion.HDS_HOSTING] is True
    assert profile.answers[Criterion.NO_TRAINING] is False  # read inverted


def test_questionnaire_answers_are_parsed_and_checked() -> None:
    answers = {q.id: q.choices[0][0] for q in QUESTIONS} | {"task": "courrier", "environment": "2"}
    needs = needs_from_answers(answers)
    assert needs == Needs("courrier", True, True, True, True, True, 2)
    with pytest.raises(QuestionnaireError):
        needs_from_answers(answers | {"require_hds": "peut-être"})
    with pytest.raises(QuestionnaireError):
        needs_from_answers({k: v for k, v in answers.items() if k != "task"})
