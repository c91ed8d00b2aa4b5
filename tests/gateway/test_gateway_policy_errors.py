"""Policies, authentication, fail-closed protection and upstream failures, seen by the SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gwfixtures
import httpx
import openai
import pytest
from gwfixtures import KEYS, NIR, PROMPT, Served, config_data, last_record, leaks, settings_for

from avec.gateway import create_app, parse_config
from avec.gateway.records import MemoryRequestJournal
from avec.text import Span

# The shared fixtures, bound here so pytest finds them.
served, gw = gwfixtures.served, gwfixtures.gw


def client(gw: Served, key: str = KEYS["main"]) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gw.url}/v1", api_key=key, max_retries=0, timeout=30)


def ask(gw: Served, model: str = "mistral-small-latest", key: str = KEYS["main"], **kw: Any) -> Any:
    with client(gw, key) as c:
        return c.chat.completions.create(model=model, messages=[{"role": "user", "content": PROMPT}], **kw)


def test_team_policy_blocks_nir_and_nothing_is_sent(gw: Served) -> None:
    with pytest.raises(openai.PermissionDeniedError) as err:
        ask(gw, key=KEYS["strict"])
    assert err.value.status_code == 403
    body = err.value.body
    assert isinstance(body, dict) and body["code"] == "avec_blocked_category"
    assert "numéro de sécurité sociale" in body["message"] and "Rien n'a été envoyé" in body["message"]
    assert NIR not in body["message"]
    assert gw.recorder.bodies == []
    rec = last_record(gw)
    assert (rec.status, rec.blocked) == ("blocked", {"SECU": 1})


def test_blocked_in_stream_is_refused_before_any_byte(gw: Served) -> None:
    with pytest.raises(openai.PermissionDeniedError):
        ask(gw, key=KEYS["strict"], stream=True)
    assert gw.recorder.bodies == []


def test_team_restricted_to_some_systems(gw: Served) -> None:
    with pytest.raises(openai.PermissionDeniedError) as err:
        ask(gw, key=KEYS["restricted"])
    assert isinstance(err.value.body, dict) and err.value.body["code"] == "avec_system_not_allowed"
    assert ask(gw, model="hds-model", key=KEYS["restricted"]).choices[0].message.content.endswith(PROMPT)


def test_allow_on_approved_system_sends_that_category_only(gw: Served) -> None:
    ask(gw, model="hds-model")
    sent = gw.recorder.texts()[-1]
    assert "Nantes" in sent and "44000" in sent  # allowed on the HDS system
    assert "Quéméner" not in sent and "Abgrall" not in sent
    assert last_record(gw).allowed == {"VILLE": 1, "ZIP": 1}


def test_missing_and_unknown_keys(gw: Served) -> None:
    with pytest.raises(openai.AuthenticationError) as err:
        ask(gw, key="avec-wrong")
    assert isinstance(err.value.body, dict) and err.value.body["code"] == "invalid_api_key"
    r = httpx.post(f"{gw.url}/v1/chat/completions", json={"model": "x", "messages": []})
    assert r.status_code == 401 and "Clé d'API manquante" in r.json()["error"]["message"]
    assert gw.recorder.bodies == []


def test_bad_requests(gw: Served) -> None:
    with pytest.raises(openai.NotFoundError):
        ask(gw, model="inconnu")
    with pytest.raises(openai.BadRequestError) as err:
        ask(gw, logprobs=True)
    assert isinstance(err.value.body, dict) and "pseudonymes" in err.value.body["message"]
    image = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]
    with client(gw) as c, pytest.raises(openai.BadRequestError) as err:
        c.chat.completions.create(model="mistral-small-latest", messages=[{"role": "user", "content": image}])
    assert isinstance(err.value.body, dict) and err.value.body["code"] == "avec_unsupported_content"
    headers = {"Authorization": f"Bearer {KEYS['main']}"}
    r = httpx.post(f"{gw.url}/v1/chat/completions", content=b"{not json", headers=headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "avec_invalid_json"
    assert gw.recorder.bodies == []


@pytest.mark.parametrize(
    ("model", "status", "code"),
    [
        ("fail-500", 502, "upstream_500"),
        ("fail-401", 502, "avec_upstream_auth"),
        ("slow", 504, "avec_upstream_timeout"),
        ("garbage", 502, "avec_upstream_malformed"),
        ("nokey-model", 503, "avec_upstream_key_missing"),
    ],
)
def test_upstream_failures_are_clear_errors(gw: Served, model: str, status: int, code: str) -> None:
    with pytest.raises(openai.APIStatusError) as err:
        ask(gw, model=model)
    assert err.value.status_code == status
    body = err.value.body
    assert isinstance(body, dict) and body["code"] == code
    assert "boom" not in body["message"] and "bad key" not in body["message"]
    assert leaks(gw.recorder.texts()) == []
    assert last_record(gw).status == "error"


def test_malformed_stream_ends_with_an_error_event(gw: Served) -> None:
    with client(gw) as c, pytest.raises(openai.APIError) as err:
        for _ in c.chat.completions.create(
            model="bad-stream", messages=[{"role": "user", "content": PROMPT}], stream=True
        ):
            pass
    assert "illisible" in str(err.value.message)
    assert last_record(gw).error_code == "avec_upstream_malformed"


def test_stream_without_upstream_usage_estimates_tokens(gw: Served) -> None:
    with client(gw) as c:
        text = "".join(
            ch.choices[0].delta.content or ""
            for ch in c.chat.completions.create(
                model="no-usage", messages=[{"role": "user", "content": PROMPT}], stream=True
            )
            if ch.choices
        )
    assert text == "Écho : " + PROMPT
    rec = last_record(gw)
    assert rec.tokens_estimated and rec.completion_tokens and rec.completion_tokens > 0


class _Broken:
    def detect(self, text: str) -> list[Span]:
        raise RuntimeError("detector crashed on " + text)


def test_protection_failure_fails_closed(tmp_path: Path) -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(500)

    app = create_app(
        settings_for(tmp_path),
        httpx.MockTransport(handler),
        config=parse_config(config_data("http://upstream.invalid")),
        detector=_Broken(),
        journal=MemoryRequestJournal(),
        environ={"AVEC_TEST_UPSTREAM_KEY": "k"},
    )
    import asyncio

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
            return await c.post(
                "/v1/chat/completions",
                json={"model": "mistral-small-latest", "messages": [{"role": "user", "content": PROMPT}]},
                headers={"Authorization": f"Bearer {KEYS['main']}"},
            )

    r = asyncio.run(run())
    assert r.status_code == 500
    err = r.json()["error"]
    assert err["code"] == "avec_protection_failed" and "n'a pas été envoyée" in err["message"]
    assert leaks([json.dumps(err, ensure_ascii=False)]) == []
    assert seen == []
