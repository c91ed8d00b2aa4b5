"""Fault injection: whatever breaks, the client gets a clear French error and nothing leaves unprotected.

Each test breaks one collaborator of the gateway (detector, conversation store, database,
upstream transport, upstream stream, verifier, journal) and asserts on the bodies the upstream
recorded: either none, or only protected ones.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from relharness import (
    PROMPT,
    Harness,
    RulesDetector,
    chunk,
    completion,
    echo_text,
    events_of,
    leaks,
    sse,
    stream_events,
    streamed_text,
)
from sqlalchemy import create_engine

from avec.gateway.conversations import DatabaseBlobStore, MemoryBlobStore, StoreConflictError
from avec.gateway.records import SqlRequestJournal
from avec.text import Span

STREAM = {"model": "m", "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
PLAIN = {"model": "m", "messages": [{"role": "user", "content": PROMPT}]}


def french_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The OpenAI-style error of a response, checked for status, code and a French message."""
    assert response.status_code == status, response.text
    err = response.json()["error"]
    assert err["code"] == code
    assert any(w in err["message"] for w in ("la ", "le ", "réessayez", "Réessayez", "requête"))
    assert leaks([response.text]) == []
    return dict(err)


# --- detection ---------------------------------------------------------------------------


class _Raising:
    def __init__(self, exc: BaseException, after: int = 0) -> None:
        self.exc, self.after, self.calls = exc, after, 0
        self.inner = RulesDetector()

    def detect(self, text: str) -> list[Span]:
        self.calls += 1
        if self.calls > self.after:
            raise self.exc
        return self.inner.detect(text)


@pytest.mark.parametrize(
    "exc",
    [RuntimeError("détecteur en panne sur " + PROMPT), MemoryError(), RecursionError(), TimeoutError()],
    ids=["runtime", "memory", "recursion", "timeout"],
)
@pytest.mark.parametrize("body", [PLAIN, STREAM], ids=["plain", "stream"])
def test_detector_raising_refuses_and_sends_nothing(
    tmp_path: Path, exc: BaseException, body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h = Harness(tmp_path, overrides={"detector": _Raising(exc)})
    err = french_error(h.post(body), 500, "avec_protection_failed")
    assert "n'a pas été envoyée" in err["message"]
    assert h.sent == []
    assert leaks([caplog.text]) == []
    assert h.journal.records[-1].status == "error"


def test_detector_failing_on_a_later_message_sends_nothing(tmp_path: Path) -> None:
    """The first messages were protected, the third fails: no partial body goes out."""
    h = Harness(tmp_path, overrides={"detector": _Raising(RuntimeError("x"), after=2)})
    messages = [
        {"role": "system", "content": "Vous êtes un assistant."},
        {"role": "user", "content": PROMPT},
        {"role": "user", "content": "Et sa fille Maëlys Quéméner ?"},
    ]
    french_error(h.post({"model": "m", "messages": messages}), 500, "avec_protection_failed")
    assert h.sent == []


# --- conversation store and database -------------------------------------------------------


class _BrokenStore(MemoryBlobStore):
    def __init__(self, fail_on: str) -> None:
        super().__init__(3600)
        self.fail_on = fail_on

    def load(self, key: str, owner: str) -> bytes | None:
        if self.fail_on == "load":
            raise OSError("stockage indisponible")
        return super().load(key, owner)

    def save(self, key: str, owner: str, blob: bytes, previous: Any = None) -> None:
        if self.fail_on == "save":
            raise OSError("stockage indisponible")
        if self.fail_on == "conflict":
            raise StoreConflictError("toujours en conflit")
        super().save(key, owner, blob, previous)


@pytest.mark.parametrize("fail_on", ["load", "save", "conflict"])
@pytest.mark.parametrize("body", [PLAIN, STREAM], ids=["plain", "stream"])
def test_vault_store_unavailable_sends_nothing(tmp_path: Path, fail_on: str, body: dict[str, Any]) -> None:
    h = Harness(tmp_path, overrides={"store": _BrokenStore(fail_on)})
    french_error(h.post(body), 500, "avec_protection_failed")
    assert h.sent == []


def test_vault_database_unreachable_sends_nothing(tmp_path: Path) -> None:
    """``vault_store: database`` with the database down (nothing listens on port 9)."""
    engine = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 2}
    )
    h = Harness(tmp_path, overrides={"store": DatabaseBlobStore(engine, 3600)})
    french_error(h.post(), 500, "avec_protection_failed")
    french_error(h.post(STREAM), 500, "avec_protection_failed")
    assert h.sent == []
    engine.dispose()


def test_journal_database_down_still_answers_without_logging_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The journal is written after the answer: its failure loses a record, never data."""
    caplog.set_level(logging.DEBUG)
    engine = create_engine(f"sqlite:///{tmp_path / 'absent' / 'journal.sqlite3'}")
    h = Harness(tmp_path, overrides={"journal": SqlRequestJournal(engine)})
    r = h.post()
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "Écho : " + PROMPT
    assert "journal de la passerelle indisponible" in caplog.text
    assert leaks([caplog.text]) == [] and leaks(h.sent_texts()) == []
    engine.dispose()


# --- upstream transport ----------------------------------------------------------------------


def _raise(exc: Exception) -> Any:
    def handler(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        raise exc

    return handler


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (httpx.ReadTimeout("lent"), 504, "avec_upstream_timeout"),
        (httpx.ConnectTimeout("lent"), 504, "avec_upstream_timeout"),
        (httpx.ConnectError("refusé"), 502, "avec_upstream_unreachable"),
        (httpx.RemoteProtocolError("coupé"), 502, "avec_upstream_unreachable"),
    ],
)
@pytest.mark.parametrize("body", [PLAIN, STREAM], ids=["plain", "stream"])
def test_upstream_transport_failures(
    tmp_path: Path, exc: Exception, status: int, code: str, body: dict[str, Any]
) -> None:
    h = Harness(tmp_path, handler=_raise(exc))
    french_error(h.post(body), status, code)
    assert len(h.sent) == 1 and leaks(h.sent_texts()) == []
    assert h.journal.records[-1].error_code == code


@pytest.mark.parametrize("upstream_status", [500, 502, 503, 504, 529])
@pytest.mark.parametrize("body", [PLAIN, STREAM], ids=["plain", "stream"])
def test_upstream_5xx(tmp_path: Path, upstream_status: int, body: dict[str, Any]) -> None:
    def handler(request: httpx.Request, sent: dict[str, Any]) -> httpx.Response:
        # An upstream error quoting the (pseudonymized) request is never relayed.
        return httpx.Response(upstream_status, json={"error": {"message": str(sent), "code": "boom"}})

    h = Harness(tmp_path, handler=handler)
    err = french_error(h.post(body), 502, f"upstream_{upstream_status}")
    assert "messages" not in err["message"]
    assert len(h.sent) == 1 and leaks(h.sent_texts()) == []


@pytest.mark.parametrize(
    ("response", "detail"),
    [
        (httpx.Response(200, text="<html>proxy</html>"), "JSON invalide"),
        (httpx.Response(200, json={"id": "x"}), "choices"),
        (httpx.Response(200, json={"choices": ["x"]}), "message"),
        (httpx.Response(200, json={"choices": [{"message": {"content": {"a": [1, {"b": 2}]}}}]}), ""),
        (httpx.Response(200, content=b"[" * 100_000), "JSON invalide"),
    ],
    ids=["html", "no-choices", "bad-choice", "odd-content", "deep-json"],
)
def test_malformed_upstream_answers(tmp_path: Path, response: httpx.Response, detail: str) -> None:
    h = Harness(tmp_path, handler=lambda request, body: response)
    r = h.post()
    if not detail:  # an odd but JSON-walkable message is passed on, revealed
        assert r.status_code == 200
        return
    err = french_error(r, 502, "avec_upstream_malformed")
    assert detail in err["message"]


# --- upstream streams -----------------------------------------------------------------------


def _stream_case(tmp_path: Path, parts: list[bytes | Exception]) -> tuple[Harness, list[Any]]:
    h = Harness(tmp_path, handler=lambda request, body: sse(parts))
    r = h.post(STREAM)
    assert r.status_code == 200  # the stream had started: the error comes as its last event
    assert len(h.sent) == 1 and leaks(h.sent_texts()) == []
    return h, events_of(r)


@pytest.mark.parametrize(
    ("tail", "code"),
    [
        ([], "avec_upstream_truncated"),  # connection closed: no finish_reason, no [DONE]
        ([httpx.ReadTimeout("lent")], "avec_upstream_timeout"),
        ([httpx.RemoteProtocolError("coupé")], "avec_upstream_unreachable"),
        ([b"data: {pas du json\n\n"], "avec_upstream_malformed"),
        ([b'data: {"choices": "x"}\n\n'], "avec_upstream_truncated"),  # skipped, then cut
        ([b'data: {"choices": [{"index": "a", "delta": {}}]}\n\n'], "avec_upstream_malformed"),
        ([b'data: {"error": {"message": "surcharge", "code": "overloaded"}}\n\n'], "upstream_502"),
    ],
    ids=["truncated", "timeout", "reset", "bad-json", "bad-choices", "bad-index", "error-event"],
)
def test_broken_streams_end_with_a_french_error_event(
    tmp_path: Path, tail: list[bytes | Exception], code: str
) -> None:
    def handler(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        # The upstream echoes the protected prompt and stops inside the surrogate of the surname.
        head = echo_text(body)
        return sse([*stream_events(head[: head.index(",") - 3])[:-2], *tail])

    h = Harness(tmp_path, handler=handler)
    r = h.post(STREAM)
    events = events_of(r)
    assert r.status_code == 200  # the stream had started: the error comes as its last event
    assert events[-1] != "[DONE]" and events[-1]["error"]["code"] == code
    text = streamed_text(events)
    assert text.startswith("Écho : Patiente Mme")  # released before the cut (names may be held)
    # After the civility only revealed originals may appear: a surrogate is never sent half-made
    # (nor whole: the stream was cut inside it, so it cannot be revealed).
    assert set(text.removeprefix("Écho : Patiente Mme").split()) <= {"Maëlys"}
    assert len(h.sent) == 1 and leaks(h.sent_texts()) == []


def test_stream_without_done_but_finished_is_accepted(tmp_path: Path) -> None:
    """Some servers omit ``[DONE]``: a stream whose choices all finished is whole."""
    h = Harness(tmp_path, handler=lambda request, body: sse(stream_events(echo_text(body))[:-1]))
    events = events_of(h.post(STREAM))
    assert events[-1] == "[DONE]" and streamed_text(events) == "Écho : " + PROMPT


def test_stream_of_an_unknown_shape_is_ignored_not_crashing(tmp_path: Path) -> None:
    parts: list[bytes | Exception] = [chunk({"content": "ok"}), b": keep-alive\n\nevent: x\n\n"]
    parts += [chunk({}, "stop"), b"data: [DONE]\n\n"]
    _, events = _stream_case(tmp_path, parts)
    assert events[-1] == "[DONE]" and streamed_text(events) == "ok"


# --- verification ---------------------------------------------------------------------------


def _raising_verifier(answer: str, source: str | None = None) -> list[Any]:
    raise RuntimeError("vérificateur en panne : " + answer)


@pytest.mark.parametrize("body", [PLAIN, STREAM], ids=["plain", "stream"])
def test_verifier_raising_never_withholds_nor_logs_the_answer(
    tmp_path: Path, body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Verification runs on the answer, after the upstream call: the answer is delivered and
    the extension says verification was unavailable (design: a check never withholds)."""
    caplog.set_level(logging.DEBUG)
    h = Harness(tmp_path, overrides={"verifier": _raising_verifier})
    r = h.post(body)
    assert r.status_code == 200
    if body.get("stream"):
        events = events_of(r)
        assert streamed_text(events) == "Écho : " + PROMPT
        assert events[-2]["avec"]["verification"]["status"] == "indisponible"
    else:
        assert r.headers["X-AVEC-Findings"] == "indisponible"
        assert r.json()["avec"]["verification"]["status"] == "indisponible"
    assert "vérification indisponible (RuntimeError)" in caplog.text
    assert leaks([caplog.text]) == [] and leaks(h.sent_texts()) == []


def test_reveal_failure_is_a_clear_error(tmp_path: Path) -> None:
    """A corrupted answer structure in the middle of revealing: 502, no crash."""

    def handler(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        data = completion(echo_text(body))
        data["choices"][0]["message"] = {"role": "assistant", "content": echo_text(body), "tool_calls": 5}
        return httpx.Response(200, json=data)

    h = Harness(tmp_path, handler=handler)
    r = h.post()
    assert r.status_code in (200, 502)
    assert leaks(h.sent_texts()) == []
