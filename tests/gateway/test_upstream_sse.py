"""Reading upstream Server-Sent Events from raw bytes, however the network cuts them."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from avec.gateway.errors import GatewayError
from avec.gateway.upstream import StreamTruncatedError, sse_batches

EVENTS: list[dict[str, Any]] = [
    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
    {"choices": [{"index": 0, "delta": {"content": "Mme Hélène Lefèvre, née à Besançon"}}]},
    {"choices": [{"index": 0, "delta": {"content": " — 5 µg/kg, « repos »"}}]},
    {"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 4}},
]


def _wire(newline: bytes, done: bool = True, final_newline: bool = True) -> bytes:
    lines = [b": commentaire", b"event: message", b"id: 7"]
    out = newline.join(lines) + newline + newline
    for e in EVENTS:
        out += b"data: " + json.dumps(e, ensure_ascii=False).encode("utf-8") + newline + newline
    if done:
        out += b"data: [DONE]" + (newline + newline if final_newline else b"")
    return out


def _response(pieces: list[bytes]) -> httpx.Response:
    async def body() -> AsyncIterator[bytes]:
        for p in pieces:
            yield p

    return httpx.Response(200, content=body())


def _split(data: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(1, len(data)), rng.randint(1, 40)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


async def _collect(pieces: list[bytes]) -> list[dict[str, Any]]:
    return [e async for batch in sse_batches(_response(pieces), "amont") for e in batch]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_events_are_the_same_however_the_bytes_are_cut(newline: bytes) -> None:
    rng = random.Random(len(newline))
    data = _wire(newline)
    for _ in range(200):  # cuts fall inside lines, inside CRLF and inside multi-byte characters
        assert asyncio.run(_collect(_split(data, rng))) == EVENTS


def test_a_done_line_without_its_final_newline_still_ends_the_stream() -> None:
    assert asyncio.run(_collect([_wire(b"\n", final_newline=False)])) == EVENTS


def test_a_stream_without_done_is_truncated() -> None:
    with pytest.raises(StreamTruncatedError):
        asyncio.run(_collect([_wire(b"\n", done=False)]))


@pytest.mark.parametrize(
    "line",
    [b"data: {not json", b"data: [1, 2]", b'data: {"a": "\xff"}', b'data: {"error": {"message": "x"}}'],
)
def test_malformed_or_error_events_are_refused(line: bytes) -> None:
    with pytest.raises(GatewayError) as err:
        asyncio.run(_collect([line + b"\n\n", b"data: [DONE]\n\n"]))
    assert err.value.status == 502


def test_events_of_one_read_come_together_and_those_before_an_error_first() -> None:
    async def batches(pieces: list[bytes]) -> list[list[dict[str, Any]]]:
        return [b async for b in sse_batches(_response(pieces), "amont")]

    data = _wire(b"\n")
    assert asyncio.run(batches([data])) == [EVENTS]  # one read, one batch
    one_by_one = [p + b"\n\n" for p in data.split(b"\n\n") if p]
    assert asyncio.run(batches(one_by_one)) == [[e] for e in EVENTS]
    good = b"data: " + json.dumps(EVENTS[1]).encode() + b"\n\n"
    seen: list[list[dict[str, Any]]] = []

    async def until_error() -> None:
        async for b in sse_batches(_response([good + b"data: {not json\n\n"]), "amont"):
            seen.append(b)

    with pytest.raises(GatewayError):
        asyncio.run(until_error())
    assert seen == [[EVENTS[1]]]
