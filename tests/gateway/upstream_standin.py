"""An OpenAI-compatible upstream stand-in that records every body it receives.

It echoes the last user message (``Écho : <text>``) so a test can check that the client gets
its originals back; with ``tools`` it calls the first tool with ``{"patient": <text>}`` written
with ASCII escapes (``\\u00e9``). Streams are cut every few characters, so surrogates are split
across chunks. Upstream model names select failures: ``fail-500``, ``fail-401``, ``slow``,
``garbage``, ``bad-stream``, ``no-usage``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

UPSTREAM_KEY = "sk-upstream-test"


class Recorder:
    """Every raw body received, and the Authorization headers seen."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.auth: list[str] = []
        self.delay = 0.0  # seconds between streamed chunks (benchmarks)
        self.chunk_chars = 3
        self.echo_limit = 0  # echo only this many characters (benchmarks); 0: all
        self.think = 0.0  # seconds before the answer or its first chunk, as a model takes (benchmarks)
        # With spread, that wait goes from 50 % to 150 % of ``think``, set by the request's
        # ``seed``: the same request waits as long whether it comes directly or via the gateway.
        self.spread = False
        self.addition = ""  # appended to every answer: words the request does not hold (checks)

    def texts(self) -> list[str]:
        """Bodies as text with JSON escapes resolved (``\\u00e9`` becomes ``é``)."""
        out = []
        for raw in self.bodies:
            try:
                out.append(json.dumps(json.loads(raw), ensure_ascii=False))
            except ValueError:
                out.append(raw.decode("utf-8", "replace"))
        return out

    def reset(self) -> None:
        self.bodies.clear()
        self.auth.clear()


def _last_user(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") in ("user", "tool"):
            content = message.get("content")
            if isinstance(content, list):
                return "".join(p.get("text", "") for p in content)
            return str(content or "")
    return ""


def _chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    data = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": 1,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def make_upstream(recorder: Recorder) -> FastAPI:
    """The stand-in application."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Response:
        raw = await request.body()
        recorder.bodies.append(raw)
        recorder.auth.append(request.headers.get("authorization", ""))
        body = json.loads(raw)
        model = body.get("model", "")
        if model == "fail-500":
            return JSONResponse({"error": {"message": "boom", "code": "server_error"}}, status_code=500)
        if model == "fail-401":
            return JSONResponse({"error": {"message": "bad key", "code": "invalid_api_key"}}, status_code=401)
        if model == "slow":
            await asyncio.sleep(3)
        if model == "garbage":
            return PlainTextResponse("<html>proxy error</html>")
        if recorder.think:
            seed = body.get("seed")
            factor = 0.5 + (seed % 1000) / 1000 if recorder.spread and isinstance(seed, int) else 1.0
            await asyncio.sleep(recorder.think * factor)
        text = _last_user(body)
        if recorder.echo_limit:
            text = text[: recorder.echo_limit]
        tools = body.get("tools")
        args = json.dumps({"patient": text}, ensure_ascii=True) if tools else None
        answer = None if tools else "Écho : " + text + recorder.addition
        usage = {"prompt_tokens": len(raw) // 4, "completion_tokens": 40, "total_tokens": len(raw) // 4 + 40}
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": answer}
            if tools:
                name = tools[0]["function"]["name"]
                message["tool_calls"] = [
                    {"id": "call_1", "type": "function", "function": {"name": name, "arguments": args}}
                ]
            return JSONResponse(
                {
                    "id": "cmpl-1",
                    "object": "chat.completion",
                    "created": 1,
                    "model": model,
                    "choices": [
                        {"index": 0, "message": message, "finish_reason": "tool_calls" if tools else "stop"}
                    ],
                    "usage": usage,
                }
            )
        want_usage = bool((body.get("stream_options") or {}).get("include_usage")) and model != "no-usage"

        async def events() -> AsyncIterator[bytes]:
            step = recorder.chunk_chars
            yield _chunk("cmpl-s", model, {"role": "assistant", "content": ""})
            if tools:
                name = tools[0]["function"]["name"]
                head = {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": name, "arguments": ""},
                }
                yield _chunk("cmpl-s", model, {"tool_calls": [head]})
                assert args is not None
                for i in range(0, len(args), 5):
                    piece = {"index": 0, "function": {"arguments": args[i : i + 5]}}
                    yield _chunk("cmpl-s", model, {"tool_calls": [piece]})
            else:
                assert answer is not None
                for n, i in enumerate(range(0, len(answer), step)):
                    if model == "bad-stream" and n == 5:
                        yield b"data: {not json\n\n"
                        return
                    if recorder.delay:
                        await asyncio.sleep(recorder.delay)
                    yield _chunk("cmpl-s", model, {"content": answer[i : i + step]})
            yield _chunk("cmpl-s", model, {}, "tool_calls" if tools else "stop")
            if want_usage:
                data = {"id": "cmpl-s", "object": "chat.completion.chunk", "created": 1, "model": model}
                yield b"data: " + json.dumps({**data, "choices": [], "usage": usage}).encode() + b"\n\n"
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
