"""An in-process gateway whose upstream is a recording ``httpx.MockTransport`` with chosen faults.

Every body that would leave the machine is kept in :attr:`Harness.sent`, so each test can assert
that nothing unprotected was forwarded, whatever broke.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from avec.config import Settings
from avec.gateway import create_app, hash_key, parse_config
from avec.gateway.records import MemoryRequestJournal
from rulespipe import RulesPipeline

KEY = "avec-reliability-key"
NIR = "2 54 03 75 112 345 11"
PROMPT = (
    f"Patiente Mme Maëlys Quéméner, née le 12/03/1954, NIR {NIR}, tél. 06 12 34 56 78, "
    "mail maelys.quemener@orange.fr. Paracétamol 1 g trois fois par jour. Résumez."
)
PLANTED = ["Maëlys", "Maelys", "Quéméner", "Quemener", "12/03/1954", "maelys.quemener"]
PLANTED_DIGITS = ["2540375112345", "0612345678"]

RULES = [
    ("PRENOM", r"\bMaëlys\b"),
    ("NOM", r"\bQuéméner\b"),
    ("DATE_NAISSANCE", r"\b\d{2}/\d{2}/\d{4}\b"),
    ("SECU", r"\b[12](?: ?\d){12} ?\d{2}\b"),
    ("TEL", r"\b0\d(?: \d\d){4}\b"),
    ("MAIL", r"\b[\w.]+@[\w.]+\.fr\b"),
]


class RulesDetector(RulesPipeline):
    """Detection by regular expressions: fast and exact for the planted values."""

    def __init__(self) -> None:
        super().__init__(RULES)


def leaks(texts: list[str]) -> list[str]:
    """Planted values found in texts (JSON escapes must be resolved first)."""
    found = []
    for text in texts:
        low = text.lower()
        digits = re.sub(r"[\s./\-]", "", text)
        found += [p for p in PLANTED if p.lower() in low]
        found += [d for d in PLANTED_DIGITS if d in digits]
    return found


Handler = Callable[[httpx.Request, dict[str, Any]], httpx.Response]


def echo_text(body: dict[str, Any]) -> str:
    """The answer of a well-behaved upstream: an echo of the last user message."""
    return "Écho : " + str(body["messages"][-1].get("content") or "")


def completion(text: str) -> dict[str, Any]:
    """A non-streamed chat completion."""
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    """One SSE event of a streamed completion."""
    data = {
        "id": "s1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def stream_events(text: str, step: int = 4) -> list[bytes]:
    """A whole stream of ``text`` cut every ``step`` characters, ending with ``[DONE]``."""
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": text[i : i + step]}) for i in range(0, len(text), step)]
    return [*events, chunk({}, "stop"), b"data: [DONE]\n\n"]


class ByteStream(httpx.AsyncByteStream):
    """A response body produced piece by piece; an exception instance in the list is raised."""

    def __init__(self, parts: list[bytes | Exception]) -> None:
        self.parts = parts

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            if isinstance(part, Exception):
                raise part
            await asyncio.sleep(0)
            yield part


def sse(parts: list[bytes | Exception]) -> httpx.Response:
    """A streamed upstream response."""
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=ByteStream(parts))


def well_behaved(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
    """The default upstream: echoes, streamed or not."""
    text = echo_text(body)
    if body.get("stream"):
        return sse(list(stream_events(text)))
    return httpx.Response(200, json=completion(text))


@dataclass
class Harness:
    """A gateway and the bodies it sent upstream."""

    tmp: Path
    handler: Handler = well_behaved
    overrides: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    sent: list[bytes] = field(default_factory=list)
    journal: MemoryRequestJournal = field(default_factory=MemoryRequestJournal)

    def app(self) -> Any:
        def transport(request: httpx.Request) -> httpx.Response:
            self.sent.append(request.content)
            return self.handler(request, json.loads(request.content))

        config = parse_config(
            {
                "systems": [
                    {
                        "id": "cloud",
                        "base_url": "http://upstream.invalid/v1",
                        "timeout_seconds": 2,
                        "models": ["m"],
                    }
                ],
                "keys": [{"id": "poste-1", "sha256": hash_key(KEY)}],
                "options": {"verify": True, **self.options},
            }
        )
        kwargs: dict[str, Any] = {
            "config": config,
            "detector": RulesDetector(),
            "journal": self.journal,
            "verifier": None,
            **self.overrides,
        }
        settings = Settings(data_dir=self.tmp, vault_key=Fernet.generate_key().decode())
        return create_app(settings, httpx.MockTransport(transport), **kwargs)

    def sent_texts(self) -> list[str]:
        """Upstream bodies with JSON escapes resolved."""
        return [json.dumps(json.loads(b), ensure_ascii=False) for b in self.sent]

    async def apost(self, app: Any, body: dict[str, Any], **headers: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw", timeout=30) as client:
            return await client.post(
                "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}", **headers}
            )

    def post(self, body: dict[str, Any] | None = None, app: Any = None, **headers: str) -> httpx.Response:
        """Send one request (the default: the planted prompt, not streamed)."""
        body = body or {"model": "m", "messages": [{"role": "user", "content": PROMPT}]}
        app = app or self.app()
        response = asyncio.run(self.apost(app, body, **headers))
        app.state.avec_gateway.journal.flush()  # records are written in quiet moments
        return response


def events_of(response: httpx.Response) -> list[Any]:
    """The JSON payloads of a streamed response (``[DONE]`` kept as the string)."""
    out: list[Any] = []
    for line in response.text.splitlines():
        if line.startswith("data: "):
            payload = line[6:]
            out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def streamed_text(events: list[Any]) -> str:
    """The content a client would show."""
    return "".join(
        (c.get("delta") or {}).get("content") or ""
        for e in events
        if isinstance(e, dict)
        for c in e.get("choices", [])
    )
