"""The words of a request's last text are recorded once it is sent, in the conversation's order.

With conversations kept in the gateway's process, recording what the last text contains (so
that no later surrogate is drawn among its words) waits until the request is on its way; the
conversation's lock, held until then, keeps the requests of one conversation in order.
"""

from __future__ import annotations

import asyncio
import json
import time

import gwfixtures
import httpx
from gwfixtures import KEYS, Served

from avec.gateway.auth import Principal
from avec.gateway.conversations import HEADER
from avec.protect.surrogates import remembered

served, gw = gwfixtures.served, gwfixtures.gw
CONVERSATION = "dossier-memoire-differee"


def _sent_user_texts(gw: Served) -> list[str]:
    bodies = [json.loads(raw) for raw in gw.recorder.bodies]
    return [m["content"] for body in bodies for m in body["messages"] if m["role"] == "user"]


def test_each_sent_text_is_remembered_also_when_requests_of_one_conversation_overlap(
    gw: Served,
) -> None:
    texts = [
        f"Mme Maëlys Quéméner, suivi n° {i} : tension {120 + i}/80, rappeler le Dr Abgrall au "
        f"06 12 34 56 7{i}."
        for i in range(4)
    ]

    async def send_together() -> None:
        headers = {"Authorization": f"Bearer {KEYS['main']}", HEADER: CONVERSATION}
        async with httpx.AsyncClient(base_url=gw.url, timeout=30, headers=headers) as client:

            async def one(text: str) -> None:
                body = {"model": "mistral-small-latest", "messages": [{"role": "user", "content": text}]}
                r = await client.post("/v1/chat/completions", json=body)
                r.raise_for_status()

            await asyncio.gather(*(one(t) for t in texts))

    asyncio.run(send_together())
    state = gw.app.state.avec_gateway
    deadline = time.monotonic() + 5
    while state.tasks and time.monotonic() < deadline:  # the last recording may still be running
        time.sleep(0.01)
    principal = Principal("poste-1")
    conversations = state.conversations
    stored = conversations.load(
        conversations.storage_key(principal, CONVERSATION), conversations.owner(principal)
    )
    sent = _sent_user_texts(gw)
    assert len(sent) == len(texts) and not any("Quéméner" in s for s in sent)
    assert all(remembered(stored.state, s) for s in sent)


def test_a_request_failing_before_it_is_written_still_lets_its_conversation_go_on(gw: Served) -> None:
    # "nokey-model" fails before anything is written upstream (its key is not configured): the
    # work waiting for the request to be sent (memory of words, then the conversation's lock)
    # runs all the same.
    conversation = CONVERSATION + "-echec"
    headers = {"Authorization": f"Bearer {KEYS['main']}", HEADER: conversation}
    text = "Mme Maëlys Quéméner, rappeler le Dr Abgrall au 06 12 34 56 78."
    body = {"model": "nokey-model", "messages": [{"role": "user", "content": text}]}
    with httpx.Client(base_url=gw.url, timeout=5, headers=headers) as client:
        assert client.post("/v1/chat/completions", json=body).status_code == 503
    state = gw.app.state.avec_gateway
    deadline = time.monotonic() + 5
    while state.tasks and time.monotonic() < deadline:
        time.sleep(0.01)
    principal = Principal("poste-1")
    conversations = state.conversations
    stored = conversations.load(
        conversations.storage_key(principal, conversation), conversations.owner(principal)
    )
    assert len(list(stored.vault)) > 0 and stored.state.remembered  # protected, then remembered
