"""Streamed reveal of surrogates that start with a character the tolerant needle skips."""

from __future__ import annotations

import pytest

from avec.config import Settings
from avec.gateway.revealing import LowLatencyRevealer
from avec.protect.api import Conversation, protect


@pytest.mark.parametrize("step", [1, 2, 3, 5, 7])
@pytest.mark.parametrize(
    "text",
    ["depuis le +33 2 25 67 66 74 et que", "Mme Maëlys Quéméner, +33 6 12 34 56 78, née le 12/03/1954"],
)
def test_plus_prefixed_phone_is_revealed_once(text: str, step: int) -> None:
    """The leak campaign found ``++33``: the ``+`` was released before the surrogate was seen,
    then repeated by the replacement; the client re-sent it and the phone reached the upstream."""
    settings = Settings()
    conv = Conversation.new(settings)
    protected = protect(text, conv, settings=settings).text
    rev = LowLatencyRevealer(conv)
    out = "".join(rev.feed(protected[i : i + step]) for i in range(0, len(protected), step)) + rev.flush()
    assert out == text
