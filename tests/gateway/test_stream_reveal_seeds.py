"""Streaming reveal equals whole reveal for many surrogate draws (a short surrogate may begin a
longer one: "gilbert" then "gilbert.bonnin@voila.fr")."""

from __future__ import annotations

import pytest
from gwfixtures import PROMPT

from avec import Conversation, protect, reveal
from avec.gateway.revealing import LowLatencyRevealer


@pytest.mark.parametrize("size", [1, 3, 7])
def test_low_latency_stream_matches_whole_reveal(size: int) -> None:
    for seed in range(60):
        conv = Conversation.new(seed=seed)
        out = protect(PROMPT, conv).text
        revealer = LowLatencyRevealer(conv)
        streamed = "".join(revealer.feed(out[i : i + size]) for i in range(0, len(out), size))
        streamed += revealer.flush()
        assert streamed == reveal(out, conv) == PROMPT, f"graine {seed}"
