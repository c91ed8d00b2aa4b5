"""The official ``openai`` SDK against the gateway: sync and async, stream and not, tool calls.

Every test checks the two promises: no planted identifier reaches the upstream, and the client
gets its originals back (the stand-in echoes the request, cut into 3-character chunks when
streaming, so surrogates are split across chunks).
"""

from __future__ import annotations

import asyncio
import json

import gwfixtures
import openai
import pytest
from gwfixtures import KEYS, PROMPT, Served, last_record, leaks

# The shared fixtures, bound here so pytest finds them.
served, gw = gwfixtures.served, gwfixtures.gw

ECHO = "Écho : " + PROMPT
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "enregistrer",
            "parameters": {"type": "object", "properties": {"patient": {"type": "string"}}},
        },
    }
]


def client(gw: Served, key: str = KEYS["main"]) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gw.url}/v1", api_key=key, max_retries=0, timeout=30)


def aclient(gw: Served) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{gw.url}/v1", api_key=KEYS["main"], max_retries=0, timeout=30)


def _protected(gw: Served) -> None:
    texts = gw.recorder.texts()
    assert texts, "the upstream received nothing"
    assert leaks(texts) == []
    assert all(a == "Bearer sk-upstream-test" for a in gw.recorder.auth)


def test_sync_non_stream(gw: Served) -> None:
    with client(gw) as c:
        raw = c.chat.completions.with_raw_response.create(
            model="mistral-small-latest",
            messages=[{"role": "user", "content": PROMPT}],
            extra_headers={"X-AVEC-Conversation": "sync-1", "X-AVEC-Task": "resume_cr"},
        )
    resp = raw.parse()
    assert resp.choices[0].message.content == ECHO
    assert resp.model == "mistral-small-latest"
    _protected(gw)
    ext = (resp.model_extra or {})["avec"]
    assert ext["conversation"] == "sync-1"
    assert ext["protection"]["replaced"]["NOM"] == 2
    assert ext["verification"]["findings"][0]["type"] == "DOSE_OVER_MAX"
    assert raw.headers["X-AVEC-Findings"] == "1; DOSE_OVER_MAX=1"
    assert "SECU=1" in raw.headers["X-AVEC-Replaced"]
    rec = last_record(gw)
    assert (rec.status, rec.task, rec.system_id, rec.key_id) == ("ok", "resume_cr", "cloud", "poste-1")
    assert rec.replaced["SECU"] == 1 and rec.finding_counts == {"DOSE_OVER_MAX": 1}
    assert rec.completion_tokens == 40 and not rec.tokens_estimated
    assert rec.impacts is not None and rec.impacts["energy_kwh"] > 0
    # Measured floats (impacts, latencies) could hold any digit run: only text fields are scanned.
    fields = {k: v for k, v in rec.__dict__.items() if not isinstance(v, float) and k != "impacts"}
    assert leaks([json.dumps(fields, ensure_ascii=False, default=str)]) == []


def test_sync_stream_split_surrogates(gw: Served) -> None:
    with client(gw) as c:
        stream = c.chat.completions.create(
            model="mistral-small-latest",
            messages=[{"role": "user", "content": PROMPT}],
            stream=True,
            stream_options={"include_usage": True},
        )
        pieces, usage, ext = [], None, None
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
            usage = chunk.usage or usage
            ext = (chunk.model_extra or {}).get("avec") or ext
    assert "".join(pieces) == ECHO
    # Each released piece is already original text: no surrogate ever reached the client.
    sent = json.loads(gw.recorder.bodies[-1])["messages"][0]["content"]
    assert sent != PROMPT
    assert len(pieces) > 10
    _protected(gw)
    assert usage is not None and usage.completion_tokens == 40
    assert ext is not None and ext["verification"]["findings"][0]["type"] == "DOSE_OVER_MAX"
    rec = last_record(gw)
    assert rec.stream and rec.ttft_ms is not None and rec.ttft_ms <= rec.latency_ms


def test_stream_without_usage_request_hides_usage_but_journals_it(gw: Served) -> None:
    with client(gw) as c:
        chunks = list(
            c.chat.completions.create(
                model="mistral-small-latest", messages=[{"role": "user", "content": PROMPT}], stream=True
            )
        )
    assert all(ch.usage is None for ch in chunks)
    assert json.loads(gw.recorder.bodies[-1])["stream_options"] == {"include_usage": True}
    assert last_record(gw).completion_tokens == 40


def test_async_non_stream_and_stream(gw: Served) -> None:
    async def run() -> tuple[str, str]:
        async with aclient(gw) as c:
            resp = await c.chat.completions.create(
                model="mistral-small-latest", messages=[{"role": "user", "content": PROMPT}]
            )
            stream = await c.chat.completions.create(
                model="mistral-small-latest", messages=[{"role": "user", "content": PROMPT}], stream=True
            )
            parts = [ch.choices[0].delta.content or "" async for ch in stream if ch.choices]
            return resp.choices[0].message.content or "", "".join(parts)

    whole, streamed = asyncio.run(run())
    assert whole == ECHO and streamed == ECHO
    _protected(gw)


@pytest.mark.parametrize("stream", [False, True])
def test_tool_call_arguments_revealed(gw: Served, stream: bool) -> None:
    with client(gw) as c:
        if not stream:
            resp = c.chat.completions.create(
                model="mistral-small-latest", messages=[{"role": "user", "content": PROMPT}], tools=TOOLS
            )
            call = (resp.choices[0].message.tool_calls or [])[0]
            name, args = call.function.name, call.function.arguments  # type: ignore[union-attr]
        else:
            with c.chat.completions.stream(
                model="mistral-small-latest", messages=[{"role": "user", "content": PROMPT}], tools=TOOLS
            ) as s:
                final = s.get_final_completion()
            call = (final.choices[0].message.tool_calls or [])[0]
            name, args = call.function.name, call.function.arguments  # type: ignore[union-attr]
    assert name == "enregistrer"
    assert json.loads(args) == {"patient": PROMPT}
    _protected(gw)


def test_tool_result_and_history_are_protected_consistently(gw: Served) -> None:
    with client(gw) as c:
        first = c.chat.completions.create(
            model="mistral-small-latest",
            messages=[{"role": "user", "content": PROMPT}],
            tools=TOOLS,
            user="conv-tools",
        )
        call = (first.choices[0].message.tool_calls or [])[0]
        history = [
            {"role": "user", "content": PROMPT},
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "Dossier de Maëlys Quéméner enregistré."},
        ]
        second = c.chat.completions.create(model="mistral-small-latest", messages=history, user="conv-tools")
    assert second.choices[0].message.content == "Écho : Dossier de Maëlys Quéméner enregistré."
    _protected(gw)
    one, two = (json.loads(b) for b in gw.recorder.bodies)
    assert "user" not in one and "user" not in two
    # Same surrogates across turns: the first user message is protected identically.
    assert one["messages"][0]["content"] == two["messages"][0]["content"]
    surrogate_args = json.loads(two["messages"][1]["tool_calls"][0]["function"]["arguments"])
    assert surrogate_args == {"patient": one["messages"][0]["content"]}


def test_models_list(gw: Served) -> None:
    with client(gw) as c:
        ids = {m.id for m in c.models.list()}
    assert {"mistral-small-latest", "hds-model", "fail-500"} <= ids
    with client(gw, KEYS["restricted"]) as c:
        assert {m.id for m in c.models.list()} == {"hds-model"}
