"""Small pieces of the companion: composition, correction ratio, finding views and inline segments."""

from __future__ import annotations

import pytest
from fakes import FakeFinding

from avec.catalog import System
from avec.web.analysis import system_warnings
from avec.web.findings import counts, segments, to_views
from avec.web.flow import DOCUMENT_HEADER, compose, correction_ratio


def test_compose_adds_the_document_only_when_given() -> None:
    assert compose(" Résume. ", "  ") == "Résume."
    assert compose("Résume.", "CR") == "Résume." + DOCUMENT_HEADER + "CR"


def test_correction_ratio_bounds() -> None:
    assert correction_ratio("abc", "abc") == 0.0
    assert correction_ratio("abc", "") == 1.0
    assert 0.0 < correction_ratio("paracétamol 6 g", "paracétamol 4 g") < 0.1


def test_views_are_sorted_numbered_and_titled() -> None:
    answer = "aaa bbb ccc"
    views = to_views(
        [
            FakeFinding(8, 11, "CITATION_OUTDATED", "warning", "ancienne"),
            FakeFinding(0, 3, "DOSE_OVER_MAX", "error", "trop", "moins"),
        ],
        len(answer),
    )
    assert [(v.number, v.type) for v in views] == [(1, "DOSE_OVER_MAX"), (2, "CITATION_OUTDATED")]
    assert views[0].title.startswith("Dose journalière")
    assert views[0].severity == "importante"
    assert views[0].guide_key == "Vérifier"
    assert "quantités chiffrées" in views[0].guide_point
    assert "titre, source, date de publication" in views[1].guide_point
    assert counts(views) == {"DOSE_OVER_MAX": 1, "CITATION_OUTDATED": 1}


def test_segments_cover_the_answer_and_skip_overlaps() -> None:
    answer = "0123456789"
    views = to_views(
        [
            FakeFinding(2, 5, "UNIT_ERROR", "error", "x"),
            FakeFinding(4, 7, "UNKNOWN_DRUG", "warning", "y"),
            FakeFinding(8, 20, "UNGROUNDED_NUMBER", "warning", "z"),
        ],
        len(answer),
    )
    segs = segments(answer, views)
    assert "".join(s.text for s in segs) == answer
    assert [(s.text, s.number) for s in segs if s.number] == [("234", 1), ("89", 3)]


@pytest.mark.parametrize(
    ("health", "uses", "task", "expected"),
    [
        (True, {"courrier"}, "courrier", 0),
        (True, {"courrier"}, "resume_cr", 1),
        (False, {"courrier"}, "courrier", 1),
        (False, set(), "courrier", 2),
    ],
)
def test_system_warnings(health: bool, uses: set[str], task: str, expected: int) -> None:
    system = System("x", "Système X", frozenset(uses), health, "DPO")
    assert len(system_warnings(system, task)) == expected
    assert system_warnings(None, task)


def test_real_verifier_keeps_dose_problems_copied_from_the_source() -> None:
    from avec.web.findings import default_verifier

    verifier = default_verifier()
    if verifier is None:
        pytest.skip("avec.verify absent")
    line = "Traitement : paracétamol 1 g 6 fois par jour."
    found = to_views(verifier(line, "CR : " + line), len(line))
    assert [v.type for v in found] == ["DOSE_OVER_MAX"]
    assert "figure déjà dans le document fourni" in found[0].message
