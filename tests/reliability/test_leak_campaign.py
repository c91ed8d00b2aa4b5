"""The leak campaign in short (200 requests): real pipeline, real processes, loopback only.

The full campaign is ``bench/leak_campaign.py`` (10,000 requests). Logs and database must hold
no planted identifier; the upstream must receive none either, which is pinned as a strict
expected failure while the detection gaps the campaign found remain (see the report).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

_PATH = Path(__file__).resolve().parents[2] / "bench" / "leak_campaign.py"


@pytest.fixture(scope="module")
def campaign() -> Any:
    spec = importlib.util.spec_from_file_location("leak_campaign", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["leak_campaign"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(campaign: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result: dict[str, Any] = campaign.run_campaign(
        requests=200, concurrency=4, turns=3, seed=11, max_seconds=50,
        workdir=tmp_path_factory.mktemp("campagne"),
    )  # fmt: skip
    return result


def test_scanner_finds_planted_values_but_not_addresses_or_ports(campaign: Any) -> None:
    who = campaign.Identity(
        civility="Mme", first="Odette", last="Mahé", nir="2 54 03 75 112 345 11",
        phone="06 12 34 56 78", birth="12/03/1954", street="3 rue des Lilas, 44000 Nantes",
        city="Nantes", zip="44000", mail="odette.mahe@orange.fr", ipp="IPP 80012345",
    )  # fmt: skip
    # Random digits of DEBUG lines that happen to equal the postcode are not leaks.
    noise = "<memory at 0x7f3b44000e50> connect_tcp host='127.0.0.1' port=44000 127.0.0.1:44000"
    assert campaign.scan_text(noise, [who]) == {}
    found = campaign.scan_text(noise + " adresse 44 000, patiente odette, tél 0612345678", [who])
    assert found == {"ZIP": 1, "PRENOM": 1, "TEL": 1}


def test_every_request_answered(report: dict[str, Any]) -> None:
    assert report["requests"] == 200
    assert report["upstream_requests"] >= 200
    errors = {k: v for k, v in report["errors"].items() if k != "réponse mal restituée"}
    assert errors == {}


def test_no_planted_identifier_in_logs_or_database(report: dict[str, Any]) -> None:
    assert report["log_bytes"] > 10_000  # the DEBUG log really was captured
    assert report["db_rows"] > 200 and report["db_sealed_blobs"] > 0
    assert report["log_leaks"] == {}
    assert report["db_leaks"] == {}


def test_no_planted_identifier_reaches_the_upstream(report: dict[str, Any]) -> None:
    assert report["upstream_leaks"] == {}
