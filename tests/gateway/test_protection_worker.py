"""Protection and AVEC's own checks in the gateway's child process (``avec.gateway.worker``).

The session's gateway already protects every request of the SDK tests in its child; these tests
check that it really does, that the child's checks equal the library's, and that a child that
dies while a request waits on it refuses that request, sends nothing, and is replaced.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gwfixtures
import httpx
import pytest
from cryptography.fernet import Fernet
from gwfixtures import KEYS, PROMPT, Served, leaks, settings_for

from avec.gateway.worker import ProtectionWorker, WorkerError
from avec.protect.api import Conversation, protect
from avec.verify import verify

served, gw = gwfixtures.served, gwfixtures.gw
HEADERS = {"Authorization": f"Bearer {KEYS['main']}"}
REQUEST = "Dr Abgrall, pour Mme Maëlys Quéméner : amlodipine 5 mg par jour, créatinine 95 µmol/L."
ADDITION = " Ajouter paracétamol 12 g par jour et de la metfromine."  # what the model makes up


def _post(url: str, text: str, **extra: Any) -> httpx.Response:
    body = {"model": "mistral-small-latest", "messages": [{"role": "user", "content": text}], **extra}
    return httpx.post(f"{url}/v1/chat/completions", json=body, headers=HEADERS, timeout=60)


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A gateway of its own (its child is killed here), checking answers with AVEC's verifier."""
    with gwfixtures.gateway(tmp_path_factory.mktemp("gw-worker")) as running:
        yield running


def test_the_session_gateway_protects_in_its_child_process(gw: Served) -> None:
    state = gw.app.state.avec_gateway
    r = _post(gw.url, PROMPT, user="worker-sealed")
    assert r.status_code == 200
    assert "Quéméner" in r.json()["choices"][0]["message"]["content"]  # revealed here
    assert leaks(gw.recorder.texts()) == []
    assert state.worker is not None and state.worker.pid not in (None, os.getpid())
    assert state.detector is None  # the pipeline was never loaded in the serving process
    # The child sealed the conversation it stored, with the gateway's key: it opens here, with
    # the mapping of what was sent and the words it remembered after sending.
    conversations = state.conversations
    principal = state.keys.authenticate(HEADERS["Authorization"])
    key, owner = conversations.storage_key(principal, "worker-sealed"), conversations.owner(principal)
    deadline = time.monotonic() + 10
    while conversations.store.load(key, owner) is None and time.monotonic() < deadline:
        time.sleep(0.05)  # saved once the request is sent, without holding the answer
    stored = conversations.load(key, owner)
    sent = gw.recorder.texts()[-1]
    mapped = {e.surrogate: e.original for e in stored.vault}
    assert "Quéméner" in mapped.values() and any(s in sent for s in mapped)
    assert stored.state.remembered


def test_checks_in_the_child_equal_the_library(own: Served) -> None:
    state = own.app.state.avec_gateway
    assert state.checks_in_worker
    own.recorder.addition = ADDITION
    try:
        _compare_findings(own)
    finally:
        own.recorder.addition = ""


def _compare_findings(own: Served) -> None:
    for stream in (False, True):
        own.recorder.reset()
        if stream:
            with httpx.stream(
                "POST",
                f"{own.url}/v1/chat/completions",
                json={
                    "model": "mistral-small-latest",
                    "messages": [{"role": "user", "content": REQUEST}],
                    "stream": True,
                },
                headers=HEADERS,
                timeout=60,
            ) as r:
                events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: {")]
            answer = "".join(c["delta"].get("content") or "" for e in events for c in e.get("choices", []))
            ext = events[-1]["avec"]
        else:
            data = _post(own.url, REQUEST).json()
            answer, ext = data["choices"][0]["message"]["content"], data["avec"]
        sent = json.loads(own.recorder.bodies[-1])["messages"][-1]["content"]
        expected = sorted(
            (f.start, f.end, str(f.type.value))
            for f in verify(answer, sent)  # the source the model saw
        )
        checked = ext["verification"]
        assert checked["status"] == "ok"
        assert sorted((f["start"], f["end"], f["type"]) for f in checked["findings"]) == expected
        assert {"UNGROUNDED_DRUG", "UNGROUNDED_NUMBER"} <= {t for *_, t in expected}


def test_a_child_that_dies_during_a_request_refuses_it_and_is_replaced(own: Served) -> None:
    worker = own.app.state.avec_gateway.worker
    assert worker is not None
    assert _post(own.url, PROMPT).status_code == 200  # the child is up
    own.recorder.reset()
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # the request waits on a child that does not answer
    answers: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: answers.append(_post(own.url, PROMPT)))
    try:
        sender.start()
        time.sleep(0.5)
    finally:
        os.kill(pid, signal.SIGKILL)
    sender.join(30)
    refused = answers[0]
    assert refused.status_code == 500
    assert refused.json()["error"]["code"] == "avec_protection_failed"
    assert "Quéméner" not in refused.text
    assert own.recorder.bodies == []  # fail closed: nothing reached the model
    again = _post(own.url, PROMPT)
    assert again.status_code == 200
    assert "Quéméner" in again.json()["choices"][0]["message"]["content"]
    assert worker.pid not in (None, pid)  # a new child
    assert leaks(own.recorder.texts()) == []


def test_worker_errors_name_no_text(tmp_path: Path) -> None:
    """Unit level: a text too long is refused as such; unknown work fails by kind only."""
    settings = settings_for(tmp_path).model_copy(update={"max_input_chars": 50})

    async def run() -> tuple[str, str]:
        worker = ProtectionWorker(settings, Fernet.generate_key())
        try:
            from avec.gateway.config import Policy
            from avec.gateway.policy import EffectivePolicy
            from avec.protect.api import InputTooLargeError

            long_text = "Mme Maëlys Quéméner " * 10
            body = {"messages": [{"role": "user", "content": long_text}]}
            conversation = Conversation.new(settings)
            with pytest.raises(InputTooLargeError):
                await worker.call(
                    "protect", 1, conversation, body, EffectivePolicy(Policy(), None, False), "s"
                )
            with pytest.raises(WorkerError) as err:
                await worker.call("remember", 999)  # no request of that number
            return str(err.value), repr(err.value)
        finally:
            await worker.aclose()

    message, shown = asyncio.run(run())
    assert message == "KeyError" and "Quéméner" not in shown


def test_the_child_answers_urgent_calls_first_and_waits_for_whole_calls(tmp_path: Path) -> None:
    """The child's loop, run in a thread: words to remember wait behind a check the client
    waits on, and a call cut in two writes is served once whole."""
    from avec.gateway import worker as w

    parent, child = socket.socketpair()
    thread = threading.Thread(
        target=w.serve, args=(child, settings_for(tmp_path), Fernet.generate_key()), daemon=True
    )
    thread.start()
    parent.settimeout(60)
    replies: list[Any] = []
    buffer = bytearray()

    def read(count: int) -> None:
        while len(replies) < count:
            buffer.extend(parent.recv(1 << 16))
            replies.extend(w._frames(buffer))

    try:
        read(1)  # ready, once the pipeline is loaded
        answer = ADDITION
        calls = [(-1, "remember", (7,)), (-2, "remember", (8,)), (-3, "verify", (9, [answer], "Rien."))]
        parent.sendall(b"".join(w._frame(c) for c in calls))  # arrive together
        read(4)
        assert [r[0] for r in replies[1:]] == [-3, -1, -2]
        assert replies[1][1] == "ok" and replies[1][2][1] == "ok" and replies[1][2][0]  # findings
        assert replies[2][1:] == ("error", "KeyError")  # no such request: a kind, no text
        frame = w._frame((-4, "verify", (10, [answer], "Rien.")))
        parent.sendall(frame[:7])
        time.sleep(0.2)
        parent.sendall(frame[7:])
        read(5)
        assert replies[4][0] == -4 and replies[4][2] == replies[1][2]
    finally:
        parent.close()
    thread.join(10)
    assert not thread.is_alive()  # the loop ends with the socket


def test_a_stuck_child_is_stopped_and_replaced(tmp_path: Path) -> None:
    async def run() -> tuple[int | None, int | None]:
        worker = ProtectionWorker(settings_for(tmp_path), Fernet.generate_key(), call_timeout=0.5)
        try:
            await worker.start()
            stuck = worker.pid
            assert stuck is not None
            os.kill(stuck, signal.SIGSTOP)
            t0 = time.monotonic()
            with pytest.raises(WorkerError):
                await worker.call("verify", 1, ["Prendre de la metfromine."], "Rien.")
            assert time.monotonic() - t0 < 5
            findings, status = await worker.call("verify", 2, [ADDITION], "Rien.")
            assert status == "ok" and findings
            return stuck, worker.pid
        finally:
            await worker.aclose()

    stuck, replaced = asyncio.run(run())
    assert replaced not in (None, stuck)


def test_a_conversation_crosses_without_its_compiled_matcher() -> None:
    """What the worker sends back is rebuilt where needed, not compiled again on loading."""
    import pickle

    from avec.protect.reveal import matcher_for, reveal_text

    conversation = Conversation.new()
    result = protect(REQUEST, conversation=conversation)
    matcher_for(conversation.vault)
    assert conversation.vault.derived is not None
    copy = pickle.loads(pickle.dumps(conversation))
    assert copy.vault.derived is None and conversation.vault.derived is not None
    assert len(copy.vault) == len(conversation.vault)
    assert reveal_text(result.text, matcher_for(copy.vault)) == REQUEST


def test_a_failed_remember_still_stores_the_mapping(own: Served) -> None:
    """The conversation is saved once, after sending, sealed by the child; if the child fails
    to remember the words, the gateway seals the mapping itself: nothing of it is lost."""
    from avec.gateway.chat import _protect_in_worker
    from avec.gateway.config import Policy
    from avec.gateway.policy import EffectivePolicy

    class DiesAfterProtecting:
        async def call(self, operation: str, *args: Any) -> Any:
            if operation == "protect":
                conversation = args[1]
                return conversation, protect(REQUEST, conversation=conversation).text
            raise WorkerError("processus de protection arrêté")

    state = own.app.state.avec_gateway
    conversations = state.conversations
    key, owner = "gw-test-remember-fails", "owner"
    policy = EffectivePolicy(Policy(), None, False)

    async def run() -> str:
        _, sent, finish = await _protect_in_worker(
            DiesAfterProtecting(),  # type: ignore[arg-type]
            state,
            {"messages": []},
            key,
            owner,
            policy,
            "s",
            1,
        )
        assert conversations.store.load(key, owner) is None  # not saved before sending
        with pytest.raises(WorkerError):
            await finish()
        return str(sent)

    sent = asyncio.run(run())
    stored = conversations.load(key, owner)
    mapped = {e.surrogate: e.original for e in stored.vault}
    assert "Quéméner" in mapped.values() and all(s in sent for s in mapped if len(s) > 3)
