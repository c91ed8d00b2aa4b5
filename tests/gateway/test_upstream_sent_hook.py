"""Work started once the request is written to the upstream, while the model thinks."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from gwfixtures import config_data
from upstream_standin import UPSTREAM_KEY, Recorder, make_upstream, serve

from avec.gateway import parse_config
from avec.gateway.upstream import Upstream

BODY = {"model": "mistral-small-latest", "messages": [{"role": "user", "content": "Bonjour"}], "stream": True}


def _open(
    url: str, transport: httpx.AsyncBaseTransport | None = None, fail: bool = False
) -> tuple[list[float], float]:
    system = parse_config(config_data(url)).systems[0]

    async def run() -> tuple[list[float], float]:
        upstream = Upstream(transport, environ={"AVEC_TEST_UPSTREAM_KEY": UPSTREAM_KEY})
        calls: list[float] = []
        t0 = time.perf_counter()

        def on_sent() -> None:
            calls.append(time.perf_counter() - t0)
            if fail:
                raise RuntimeError("Mme Quéméner")

        response = await upstream.open_stream(system, dict(BODY), on_sent=on_sent)
        opened = time.perf_counter() - t0
        await response.aclose()
        await upstream.aclose()
        return calls, opened

    return asyncio.run(run())


def test_on_sent_runs_once_the_request_is_written_before_the_answer() -> None:
    recorder = Recorder()
    recorder.think = 0.4  # the stand-in answers (headers included) after 400 ms
    with serve(make_upstream(recorder)) as url:
        calls, opened = _open(url)
    assert len(calls) == 1
    assert calls[0] < 0.3 <= opened
    assert len(recorder.bodies) == 1


def test_a_transport_without_trace_events_never_calls_it() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"data: [DONE]\n\n", headers={"content-type": "text/event-stream"})

    calls, _ = _open("http://amont.invalid", httpx.MockTransport(answer))
    assert calls == []


def test_a_failing_hook_never_fails_the_request(caplog: pytest.LogCaptureFixture) -> None:
    with serve(make_upstream(Recorder())) as url, caplog.at_level("WARNING", logger="avec.gateway"):
        calls, _ = _open(url, fail=True)
    assert len(calls) == 1
    assert "(RuntimeError)" in caplog.text and "Quéméner" not in caplog.text
