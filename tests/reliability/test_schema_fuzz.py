"""Schema-based fuzzing (schemathesis) of the gateway's OpenAPI description, and hostile inputs.

Bounded: a fixed number of generated examples per operation, no shrinking past a deadline.
Asserts that nothing answers 500 or crashes, and that no generated body reaches the upstream
with a planted value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from relharness import KEY, PROMPT, Harness, leaks

schemathesis = pytest.importorskip("schemathesis")

_HARNESS = Harness(Path("/nonexistent-not-used"))


def _app() -> Any:
    import tempfile

    _HARNESS.tmp = Path(tempfile.mkdtemp(prefix="avec-fuzz-"))
    return _HARNESS.app()


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_on_generated_requests(case: Any) -> None:
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {KEY}"}
    response = case.call()
    assert response.status_code < 500 or response.status_code in (502, 504), response.text[:300]
    ctype = response.headers.get("content-type") or [""]
    if response.status_code >= 400 and "json" in (ctype[0] if isinstance(ctype, list) else ctype):
        body = json.loads(response.content)
        assert "error" in body or "detail" in body


def _post(body: dict[str, Any], tmp: Path) -> tuple[int, Harness, Any]:
    h = Harness(tmp)
    r = h.post(body)
    return r.status_code, h, r


def test_one_megabyte_prompt(tmp_path: Path) -> None:
    # A long record with identifiers at its start (a text dense in identifiers costs protection
    # far more: see the campaign report).
    filler = "Examen clinique sans particularité, TA 135/80, paracétamol 1 g si douleur. "
    text = PROMPT + " " + filler * (1_000_000 // len(filler))
    status, h, _ = _post({"model": "m", "messages": [{"role": "user", "content": text}]}, tmp_path)
    assert status == 200 and leaks(h.sent_texts()) == []


def test_thousands_of_messages(tmp_path: Path) -> None:
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": PROMPT} for i in range(3001)]
    status, h, _ = _post({"model": "m", "messages": messages}, tmp_path)
    assert status == 200 and leaks(h.sent_texts()) == []


@pytest.mark.parametrize(
    "text",
    [
        "[NOM_1] [PRENOM_2] [DATE_NAISSANCE_1] <NOM_1> {{NOM_1}} [[TEL_3]]",
        "Le patient [NOM_1] a dit à Mme Quéméner que [NOM_1] est le pseudonyme de Maëlys.",
        "\u202e\u200bMaëlys\u200d Qué\u0301méner",
        'data: [DONE]\n\ndata: {"choices": []}\n\n',
    ],
    ids=["tags", "tags-and-names", "unicode-tricks", "sse-injection"],
)
def test_prompts_imitating_surrogates(tmp_path: Path, text: str) -> None:
    h = Harness(tmp_path)
    app = h.app()
    for stream in (False, True):
        r = h.post({"model": "m", "stream": stream, "messages": [{"role": "user", "content": text}]}, app=app)
        assert r.status_code == 200
        assert "Maëlys" not in "".join(h.sent_texts()) and "Quéméner" not in "".join(h.sent_texts())
        if not stream:
            assert r.json()["choices"][0]["message"]["content"] == "Écho : " + text
        else:
            assert r.text.rstrip().endswith("data: [DONE]")
            events = [json.loads(x[6:]) for x in r.text.split("\n\n") if x.startswith("data: {")]
            shown = "".join(
                (c.get("delta") or {}).get("content") or "" for e in events for c in e.get("choices", [])
            )
            assert shown == "Écho : " + text
