"""Dashboard figures computed from a known month of journal records."""

from __future__ import annotations

import json
from datetime import date

import pytest
from estimate_journal import Filled

from avec.estimate.dashboard import dashboard
from avec.estimate.equivalents import equivalents
from avec.estimate.snapshot import COMPANION, GATEWAY, load_snapshot, period_bounds


def _figures(filled: Filled, team: str | None = "cardio"):  # type: ignore[no-untyped-def]
    start, end = period_bounds(date(2026, 11, 1), date(2026, 11, 30))
    return dashboard(load_snapshot(filled.engine, start, end, team=team))


def test_uses_by_task_system_and_source(filled: Filled) -> None:
    f = _figures(filled)
    assert f.uses == 9
    assert f.actors == 3  # two users and one gateway key
    assert f.uses_by_task == {"resume_cr": 5, "courrier": 4}
    assert f.uses_by_system == {"ia_etablissement": 5, "chatgpt": 4}
    assert f.uses_by_source == {COMPANION: 6, GATEWAY: 3}


def test_corrections_ratings_time_and_practice_without_ai(filled: Filled) -> None:
    f = _figures(filled)
    assert f.correction_ratio_mean == pytest.approx(0.18)  # validated answers only
    assert f.rating_mean == pytest.approx(3.33, abs=0.01)
    assert f.time_spent_seconds == pytest.approx(2400.0)  # the gateway's latency is not the user's time
    assert f.time_by_task_seconds == {"courrier": 1200.0, "resume_cr": 1200.0}
    assert f.ai_free_tasks == 3
    assert f.ai_free_share == pytest.approx(0.25)
    weeks = [p.week for p in f.correction_by_week]
    assert weeks[0] == date(2026, 10, 26) and weeks[-1] == date(2026, 11, 30)
    by_week = {p.week: p for p in f.correction_by_week}
    assert by_week[date(2026, 11, 2)].sample == 2  # A's first letter and B's summary
    assert by_week[date(2026, 10, 26)].value is None


def test_findings_and_identifiers_replaced_or_blocked(filled: Filled) -> None:
    f = _figures(filled)
    assert f.findings_by_type == {"UNGROUNDED_NUMBER": 4, "DOSE_OVER_MAX": 1}
    assert f.replaced_by_category == {"NOM": 12, "DATE_NAISSANCE": 4}
    assert f.blocked_by_category == {"SECU": 1}


def test_footprint_totals_per_request_and_equivalents(filled: Filled) -> None:
    fp = _figures(filled).footprint
    assert fp.measured_requests == 2
    assert fp.energy_kwh == pytest.approx(0.004)
    assert fp.gwp_kgco2eq == pytest.approx(0.001)
    assert fp.water_l == pytest.approx(0.02)
    assert fp.energy_wh_per_request == pytest.approx(2.0)
    assert fp.gwp_g_per_request == pytest.approx(0.5)
    assert fp.water_ml_per_request == pytest.approx(10.0)
    assert {e.quantity for e in fp.equivalents} == {"energy_kwh", "gwp_kgco2eq", "water_l"}


def test_team_filter_and_period_bounds(filled: Filled) -> None:
    everyone = _figures(filled, team=None)
    assert everyone.uses == 10  # the "urgences" letter counts, October's does not
    assert _figures(filled, team="urgences").uses == 1


def test_to_dict_is_json_ready(filled: Filled) -> None:
    data = json.loads(json.dumps(_figures(filled).to_dict()))
    assert data["start"] == "2026-11-01"
    assert data["correction_by_week"][1]["week"] == "2026-11-02"
    assert data["footprint"]["measured_requests"] == 2


def test_equivalents_read_as_everyday_quantities() -> None:
    (phone, bulb) = equivalents("energy_kwh", 0.03)
    assert phone.text == "environ 2,0 recharges complètes de smartphone"
    assert bulb.units == pytest.approx(3.0)
    assert equivalents("water_l", 0.25)[0].text == "environ 1,0 verre d'eau"
    assert equivalents("water_l", None) == [] and equivalents("gwp_kgco2eq", 0.0) == []
