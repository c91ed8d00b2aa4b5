"""The official ``mistralai`` SDK against the gateway (skipped when it is not installed)."""

from __future__ import annotations

import gwfixtures
import pytest
from gwfixtures import KEYS, PROMPT, Served, leaks

mistral_client = pytest.importorskip("mistralai.client")

# The shared fixtures, bound here so pytest finds them.
served, gw = gwfixtures.served, gwfixtures.gw


def test_mistral_complete_and_stream(gw: Served) -> None:
    client = mistral_client.Mistral(api_key=KEYS["main"], server_url=gw.url)
    resp = client.chat.complete(model="mistral-small-latest", messages=[{"role": "user", "content": PROMPT}])
    assert resp.choices[0].message.content == "Écho : " + PROMPT
    parts = []
    for event in client.chat.stream(
        model="mistral-small-latest", messages=[{"role": "user", "content": PROMPT}]
    ):
        if event.data.choices:
            parts.append(event.data.choices[0].delta.content or "")
    assert "".join(str(p) for p in parts) == "Écho : " + PROMPT
    assert len(gw.recorder.bodies) == 2
    assert leaks(gw.recorder.texts()) == []
