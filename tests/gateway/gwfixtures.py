"""Shared fixtures of the gateway tests: a recorded upstream stand-in and a served gateway.

Imported by name in each test module (no ``conftest.py`` here, so that the root one stays the
only module named ``conftest``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from upstream_standin import UPSTREAM_KEY, Recorder, make_upstream, serve

from avec.config import Settings
from avec.gateway import GatewayConfig, create_app, hash_key, parse_config
from avec.gateway.records import MemoryRequestJournal, RequestRecord
from rulespipe import RulesPipeline

KEYS = {"main": "avec-test-main-key", "strict": "avec-test-strict-key", "restricted": "avec-test-restricted"}

NIR = "2 54 03 75 112 345 11"
PROMPT = (
    f"Bonjour, je suis le Dr Abgrall. Patiente : Mme Maëlys Quéméner, née le 12/03/1954, NIR {NIR}, "
    "tél. 06 12 34 56 78, mail maelys.quemener@orange.fr, domiciliée 12 rue des Lilas 44000 Nantes. "
    "Elle prend du paracétamol 1 g trois fois par jour. Résumez son dossier."
)
#: Values that must never reach the upstream (compared case-insensitively, separators ignored
#: for numbers).
PLANTED = ["Abgrall", "Maëlys", "Maelys", "Quéméner", "Quemener", "12/03/1954", "Lilas", "Nantes", "44000"]
PLANTED_DIGITS = ["2540375112345", "0612345678", "12031954"]


LETTER_RULES = [
    ("PRENOM", r"\b(?:Jean-Pierre|Marie|Paul)\b"),
    ("NOM", r"\b(?:DUPONT|Dupont|dupont|Le Goff|Durand)\b"),
    ("DATE", r"\b\d{1,2}/\d{1,2}/\d{4}\b"),
    ("TEL", r"\b06 12 34 56 78\b"),
    ("HOPITAL", r"CHU de Nantes"),
    ("MAIL", r"\b[\w.]+@[\w.]+\.fr\b"),
]


FakePipeline = RulesPipeline


def leaks(texts: list[str]) -> list[str]:
    """Planted identifiers found in upstream bodies (should be empty)."""
    found = []
    for text in texts:
        low = text.lower()
        digits = re.sub(r"[\s./\-]", "", text)
        found += [p for p in PLANTED if p.lower() in low]
        found += [d for d in PLANTED_DIGITS if d in digits]
    return found


def config_data(upstream_url: str) -> dict[str, Any]:
    """The gateway configuration used by the tests (also a complete example)."""
    return {
        "systems": [
            {
                "id": "cloud",
                "name": "IA en nuage",
                "base_url": f"{upstream_url}/v1",
                "api_key_env": "AVEC_TEST_UPSTREAM_KEY",
                "health_data": False,
                "provider": "mistralai",
                "models": ["mistral-small-latest", {"name": "no-usage"}, {"name": "bad-stream"}],
                "policy": {"default": "redact", "IBAN": "block"},
            },
            {
                "id": "hds",
                "name": "IA hébergée HDS",
                "base_url": f"{upstream_url}/v1",
                "api_key_env": "AVEC_TEST_UPSTREAM_KEY",
                "health_data": True,
                "models": [{"name": "hds-model", "upstream": "mistral-small-latest"}],
                "policy": {"default": "redact", "VILLE": "allow", "ZIP": "allow"},
            },
            {
                "id": "flaky",
                "base_url": f"{upstream_url}/v1",
                "api_key_env": "AVEC_TEST_UPSTREAM_KEY",
                "timeout_seconds": 1,
                "models": ["fail-500", "fail-401", "slow", "garbage"],
            },
            {
                "id": "nokey",
                "base_url": f"{upstream_url}/v1",
                "api_key_env": "AVEC_TEST_MISSING_KEY",
                "models": ["nokey-model"],
            },
        ],
        "teams": {"strict": {"policy": {"SECU": "block"}}, "restricted": {"systems": ["hds"]}},
        "keys": [
            {"id": "poste-1", "sha256": hash_key(KEYS["main"])},
            {"id": "poste-strict", "sha256": hash_key(KEYS["strict"]), "team": "strict"},
            {"id": "poste-restreint", "sha256": hash_key(KEYS["restricted"]), "team": "restricted"},
        ],
        "options": {"verify": True},
    }


def fake_verify(answer: str, source: str | None = None) -> list[Any]:
    """A verifier flagging every ``paracétamol``, so findings can be checked end to end."""
    from avec.verify.findings import Finding

    return [
        Finding(m.start(), m.end(), "DOSE_OVER_MAX", "warning", "Dose à vérifier.")  # type: ignore[arg-type]
        for m in re.finditer("paracétamol", answer)
    ]


@dataclass
class Served:
    """A running gateway and its recorded upstream."""

    url: str
    recorder: Recorder
    journal: MemoryRequestJournal
    config: GatewayConfig
    app: Any


def settings_for(tmp: Path) -> Settings:
    """Settings with a fresh vault key in a temporary folder."""
    return Settings(data_dir=tmp, vault_key=Fernet.generate_key().decode())


@contextmanager
def gateway(tmp: Path, **overrides: Any) -> Iterator[Served]:
    """The upstream stand-in and a gateway (``overrides`` for ``create_app``), each on its own port."""
    recorder = Recorder()
    with serve(make_upstream(recorder)) as upstream_url:
        config = parse_config(config_data(upstream_url))
        journal = MemoryRequestJournal()
        app = create_app(
            settings_for(tmp),
            config=config,
            journal=journal,
            environ={"AVEC_TEST_UPSTREAM_KEY": UPSTREAM_KEY},
            **overrides,
        )
        with serve(app) as url:
            yield Served(url, recorder, journal, config, app)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The gateway of the session's tests, with a verifier whose findings are known."""
    with gateway(tmp_path_factory.mktemp("gw"), verifier=fake_verify) as running:
        yield running


@pytest.fixture
def gw(served: Served) -> Served:
    """The session's gateway with an empty upstream record."""
    served.recorder.reset()
    served.recorder.delay = 0.0
    served.app.state.avec_gateway.journal.flush()  # a late record of the previous test
    served.journal.records.clear()
    return served


def last_record(gw: Served, count: int = 1) -> RequestRecord:
    """The latest journal record, waiting for it (streams record after the last byte)."""
    queue = gw.app.state.avec_gateway.journal  # written in the gateway's quiet moments
    deadline = time.monotonic() + 5
    while queue.flush() and len(gw.journal.records) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return gw.journal.records[-1]


def dumps(value: Any) -> str:
    """JSON text of any value (for leak scans)."""
    return json.dumps(value, ensure_ascii=False, default=str)
