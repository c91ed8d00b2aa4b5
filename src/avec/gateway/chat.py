"""``POST /v1/chat/completions``: authenticate, protect, forward, reveal, verify, journal.

Order matters for privacy: nothing is sent upstream until every string of the request is
protected under the policy; any failure before that point refuses the request (fail closed).
The conversation is saved before the upstream call, so its mapping survives a dropped client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from avec.gateway.auth import Principal
from avec.gateway.body import read_json_object
from avec.gateway.config import ModelEntry, SystemConfig
from avec.gateway.conversations import HEADER, StoreConflictError
from avec.gateway.errors import GatewayError, bad_request, forbidden, protection_failed
from avec.gateway.findings import (
    counts_header,
    extension,
    finding_counts,
    prepare_source,
    run_verification,
    summary_header,
)
from avec.gateway.policy import (
    BlockedCategoryError,
    EffectivePolicy,
    PolicyDetector,
    blocked_message,
    resolve_policy,
)
from avec.gateway.protection import ProtectedRequest, RequestProtector, protect_request
from avec.gateway.records import RequestRecord, code_or_none
from avec.gateway.revealing import prepare_reveal, reveal_message
from avec.gateway.state import GatewayState
from avec.gateway.streaming import StreamTransformer
from avec.gateway.upstream import StreamTruncatedError, malformed, sse_batches
from avec.gateway.worker import ProtectionWorker
from avec.impact import estimate_tokens
from avec.protect.api import Conversation, InputError, InputTooLargeError
from avec.protect.vault import VaultError

TASK_HEADER = "X-AVEC-Task"
_log = logging.getLogger("avec.gateway")


async def read_body(request: Request, state: GatewayState) -> dict[str, Any]:
    """The JSON body, within the size and nesting limits.

    Raises:
        GatewayError: 413 too large, 400 not a JSON object or too deeply nested.
    """
    options = state.config.options
    return await read_json_object(request, options.max_body_bytes, options.max_json_depth)


def _route(state: GatewayState, body: dict[str, Any]) -> tuple[SystemConfig, ModelEntry]:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("avec_missing_model", "Le champ « model » est obligatoire.", "model")
    found = state.config.find_model(model)
    if found is None:
        raise GatewayError(
            404, "model_not_found", "Modèle inconnu de la passerelle AVEC (voir GET /v1/models)."
        )
    if body.get("logprobs") or body.get("top_logprobs"):
        raise bad_request(
            "avec_logprobs_unsupported",
            "Les logprobs ne sont pas pris en charge : ils exposeraient les pseudonymes.",
            "logprobs",
        )
    return found


#: Attempts when another replica saves the same conversation meanwhile (optimistic concurrency).
SAVE_ATTEMPTS = 5


Finish = Callable[[], Awaitable[None]]


def _protect_sync(
    state: GatewayState,
    body: dict[str, Any],
    key: str,
    owner: str,
    policy_detector: PolicyDetector,
    scope: str,
    defer: bool,
) -> tuple[Conversation, ProtectedRequest, Finish | None]:
    """Load, protect and save; start again from the stored vault if another replica saved first.

    Raises:
        StoreConflictError: still conflicting after :data:`SAVE_ATTEMPTS` (nothing is sent).
    """
    for _ in range(SAVE_ATTEMPTS - 1):
        try:
            return _protect_once(state, body, key, owner, policy_detector, scope, defer)
        except StoreConflictError:
            continue
    return _protect_once(state, body, key, owner, policy_detector, scope, defer)


def _protect_once(
    state: GatewayState,
    body: dict[str, Any],
    key: str,
    owner: str,
    policy_detector: PolicyDetector,
    scope: str,
    defer: bool,
) -> tuple[Conversation, ProtectedRequest, Finish | None]:
    conversations = state.conversations
    conversation, previous = conversations.load_versioned(key, owner)
    protector = RequestProtector(
        conversation, policy_detector, state.cache, scope, state.settings, defer_last=defer
    )
    protected = protect_request(body, protector)
    saved = conversations.save(key, owner, conversation, previous)  # the mapping, before sending
    if not defer:
        return conversation, protected, None

    def remember() -> None:
        protector.remember_pending()
        conversations.save(key, owner, conversation, saved)

    async def finish() -> None:
        await anyio.to_thread.run_sync(remember, limiter=state.limiter)

    return conversation, protected, finish


async def _protect_in_worker(
    worker: ProtectionWorker,
    state: GatewayState,
    body: dict[str, Any],
    key: str,
    owner: str,
    policy: EffectivePolicy,
    scope: str,
    ticket: int,
) -> tuple[Conversation, ProtectedRequest, Finish]:
    """:func:`_protect_once` with the work done in the protection worker.

    Only for conversations kept in this process: loading and saving them costs little, and no
    other replica can save one meanwhile (no conflict to retry). It is saved once, after sending,
    sealed by the child with the words it remembered: until then the conversation's lock keeps
    every other request of it waiting, and if the process stops the memory store is gone anyway.
    """
    conversations = state.conversations
    conversation, previous = conversations.load_versioned(key, owner)
    conversation, protected = await worker.call("protect", ticket, conversation, body, policy, scope)

    async def finish() -> None:
        try:
            conversation.state, blob = await worker.call("remember", ticket)
        except Exception:
            conversations.save(key, owner, conversation, previous)  # the mapping at least
            raise
        conversations.store_sealed(key, owner, blob, previous)

    return conversation, protected, finish


class AfterSend:
    """Work started once the request is written upstream, exactly once.

    A worker thread started earlier would take the interpreter from the event loop in the
    middle of sending (socket calls release it, and getting it back can wait for the thread's
    whole step). Triggered by the upstream's ``on_sent`` hook, and by the end of the upstream
    call for transports without it or when the call fails before writing.
    """

    def __init__(self) -> None:
        self._jobs: list[tuple[Callable[[], object], bool]] = []
        self.started = False

    def add(self, job: Callable[[], object], *, always: bool = False) -> None:
        """Run ``job`` too (at once when already started).

        Args:
            always: run it even when the request is never sent (see :meth:`abandon`).
        """
        if self.started:
            _run_job(job)
        else:
            self._jobs.append((job, always))

    def abandon(self) -> None:
        """The request will not be sent: drop the work only an answer needs."""
        if not self.started:
            self._jobs = [(job, always) for job, always in self._jobs if always]

    def __call__(self) -> None:
        if self.started:
            return
        self.started = True
        for job, _ in self._jobs:
            _run_job(job)


def _run_job(job: Callable[[], object]) -> None:
    # One failing job must not keep the others (a conversation's lock release among them) from running.
    try:
        job()
    except Exception as exc:
        _log.warning("tâche lancée après l'envoi en échec (%s)", type(exc).__name__)


async def _finish_protection(state: GatewayState, finish: Finish, lock: asyncio.Lock) -> None:
    """Record what the last text contains and save again, then let the conversation go on."""
    try:
        await finish()
    except Exception as exc:  # the mapping is saved (here or before): only the memory of words is lost
        _log.warning("mémoire des mots envoyés non enregistrée (%s)", type(exc).__name__)
    finally:
        lock.release()


async def _protect(
    state: GatewayState,
    body: dict[str, Any],
    principal: Principal,
    system: SystemConfig,
    client_id: str,
    rec: RequestRecord,
    after: AfterSend,
    ticket: int,
) -> tuple[Conversation, ProtectedRequest]:
    """Protect the request; every failure becomes a French refusal and nothing is sent.

    Recording what the last text contains (what no later surrogate may be drawn among, ≈ 1.5 ms
    for 2,000 characters) waits until the request is on its way (``after``) when conversations
    are kept in this process: the conversation's lock, held until then, orders its requests.
    With a shared store another replica could load the conversation meanwhile, so it is done
    before sending.
    """
    policy = resolve_policy(state.config, system, principal)
    conversations = state.conversations
    key, owner = conversations.storage_key(principal, client_id), conversations.owner(principal)
    defer = not conversations.store.shared
    scope = f"{key}|{policy.fingerprint()}"
    lock = conversations.lock(key)
    finish: Finish | None = None
    await lock.acquire()
    try:
        with state.journal.busy():
            if state.worker is not None:
                conversation, protected, finish = await _protect_in_worker(
                    state.worker, state, body, key, owner, policy, scope, ticket
                )
            else:
                conversation, protected, finish = await anyio.to_thread.run_sync(
                    _protect_sync,
                    state,
                    body,
                    key,
                    owner,
                    PolicyDetector(state.pipeline(), policy),
                    scope,
                    defer,
                    limiter=state.limiter,
                )
    except GatewayError:
        raise
    except BlockedCategoryError as exc:
        rec.status, rec.error_code, rec.blocked = "blocked", "avec_blocked_category", dict(exc.labels)
        raise forbidden(
            "avec_blocked_category", blocked_message(exc.labels, system.name or system.id)
        ) from None
    except InputTooLargeError:
        raise GatewayError(
            413, "avec_text_too_large", "Un message dépasse la taille maximale protégeable."
        ) from None
    except InputError:
        raise bad_request("avec_invalid_message", "Un message n'a pas pu être lu.") from None
    except Exception:  # ProtectionError, VaultError, anything: fail closed, nothing is sent
        raise protection_failed() from None
    finally:
        if finish is None:
            lock.release()
    if finish is not None:
        deferred = finish
        after.add(lambda: state.spawn(_finish_protection(state, deferred, lock)), always=True)
    return conversation, protected


def _tokens(rec: RequestRecord, usage: Any, sent: dict[str, Any], answers: list[str]) -> None:
    if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
        rec.prompt_tokens = (
            usage.get("prompt_tokens") if isinstance(usage.get("prompt_tokens"), int) else None
        )
        rec.completion_tokens = usage["completion_tokens"]
        return
    rec.tokens_estimated = True
    rec.prompt_tokens = estimate_tokens(json.dumps(sent.get("messages", []), ensure_ascii=False))
    rec.completion_tokens = sum(estimate_tokens(a) for a in answers)


async def _verify(
    state: GatewayState, answers: list[str], source: Sources
) -> tuple[list[dict[str, Any]], str]:
    """Check the answers (a step the professional waits on) against the request's source."""
    with state.journal.busy():
        if source.worker is not None:
            try:
                result: tuple[list[dict[str, Any]], str] = await source.worker.call(
                    "verify", source.ticket, answers, source.protected.source
                )
                return result
            except Exception as exc:  # a check must never withhold the answer
                _log.warning("vérification indisponible (%s)", type(exc).__name__)
                return [], "indisponible"
        prepared = await (source.future or _read_source(state, source.protected))
        return await anyio.to_thread.run_sync(run_verification, state.verifier, answers, prepared)


class Sources:
    """Where the request's source is read for the checks: the protection worker, or a thread.

    Reading starts once the request is on its way (:meth:`start`), while the model writes.
    """

    def __init__(self, state: GatewayState, protected: ProtectedRequest, ticket: int) -> None:
        self._state, self.protected, self.ticket = state, protected, ticket
        self.worker = state.worker if state.checks_in_worker else None
        self.future: asyncio.Future[Any] | None = None
        self.started = False

    def start(self) -> None:
        """Start reading (once)."""
        if self.started:
            return
        self.started = True
        if self.worker is not None:
            self.worker.post("source", self.ticket, self.protected.source)
        else:
            self.future = _read_source(self._state, self.protected)


def _finish_record(state: GatewayState, rec: RequestRecord, t0: float) -> None:
    rec.latency_ms = (time.perf_counter() - t0) * 1000
    state.journal.record(rec)  # queued: written once the gateway is quiet


async def chat_completions(request: Request, state: GatewayState) -> Response:
    """Handle one chat completion request (stream or not)."""
    t0 = time.perf_counter()
    principal = state.keys.authenticate(request.headers.get("authorization"))
    state.rate_limiter.check(principal)
    body = await read_body(request, state)
    system, model = _route(state, body)
    client_id = state.conversations.client_id(request.headers.get(HEADER), body)
    rec = RequestRecord(
        created_at=datetime.now(UTC),
        key_id=principal.id,
        team=principal.team,
        system_id=system.id,
        model=model.name,
        stream=bool(body.get("stream")),
        task=code_or_none(request.headers.get(TASK_HEADER)),
        provider=system.provider,
        ecologits_model=model.ecologits_model or model.upstream_name,
        mix=state.config.options.electricity_mix,
    )
    after = AfterSend()
    ticket = state.worker.ticket() if state.worker is not None else 0
    try:
        conversation, protected = await _protect(
            state, body, principal, system, client_id, rec, after, ticket
        )
    except GatewayError as err:
        if rec.status == "ok":
            rec.status, rec.error_code = "error", err.code
        _finish_record(state, rec, t0)
        raise
    try:
        return await _answer(
            state, system, model, body, client_id, conversation, protected, rec, t0, after, ticket
        )
    finally:
        after()  # the call failed before writing, or its transport has no hook


async def _answer(
    state: GatewayState,
    system: SystemConfig,
    model: ModelEntry,
    body: dict[str, Any],
    client_id: str,
    conversation: Conversation,
    protected: ProtectedRequest,
    rec: RequestRecord,
    t0: float,
    after: AfterSend,
    ticket: int,
) -> Response:
    """Send the protected request and answer the client (revealed, checked, recorded)."""
    rec.replaced, rec.allowed = dict(protected.replaced), dict(protected.allowed)
    sent = protected.body
    sent["model"] = model.upstream_name
    headers = {
        HEADER: client_id.encode("ascii", "replace").decode(),
        "X-AVEC-Replaced": counts_header(protected.replaced),
    }
    source = Sources(state, protected, ticket)
    loop = asyncio.get_running_loop()
    after.add(lambda: loop.call_soon(prepare_reveal, conversation, rec.stream))  # while the model thinks
    if rec.stream:
        return await _stream(
            state, system, sent, body, conversation, protected, rec, headers, t0, after, source
        )
    after.add(source.start)
    try:
        data = await state.upstream.complete(system, sent, on_sent=after)
        choices = _reveal_choices(data["choices"], conversation)
    except GatewayError as err:
        after.abandon()
        rec.status, rec.error_code = "error", err.code
        _finish_record(state, rec, t0)
        raise
    answers = [str((c.get("message") or {}).get("content") or "") for c in choices]
    findings, status = await _verify(state, answers, source)
    _tokens(rec, data.get("usage"), sent, answers)
    rec.finding_counts = dict(finding_counts(findings))
    out = {**data, "model": model.name, "choices": choices}
    out["avec"] = extension(
        conversation_id=client_id,
        system_id=system.id,
        replaced=protected.replaced,
        allowed=protected.allowed,
        findings=findings,
        status=status,
    )
    headers["X-AVEC-Findings"] = summary_header(findings, status)
    _finish_record(state, rec, t0)
    return JSONResponse(out, headers=headers)


def _read_source(state: GatewayState, protected: ProtectedRequest) -> asyncio.Future[Any]:
    """Start reading the source for the checks in a worker thread, while the model writes.

    A stream starts it after its first words: before them, the thread would compete with the
    event loop for the interpreter and delay the first token.
    """
    return asyncio.get_running_loop().run_in_executor(None, prepare_source, state.verifier, protected.source)


def _reveal_choices(choices: list[Any], conversation: Conversation) -> list[dict[str, Any]]:
    """Revealed choices; an answer of an unexpected shape is a clear 502, never a crash."""
    try:
        return [_reveal_choice(c, conversation) for c in choices]
    except GatewayError:
        raise
    except Exception:
        raise malformed("contenu de réponse inattendu") from None


def _reveal_choice(choice: Any, conversation: Conversation) -> dict[str, Any]:
    if not isinstance(choice, dict) or not isinstance(choice.get("message"), dict):
        raise malformed("choix sans message")
    try:
        message = reveal_message(choice["message"], conversation)
    except VaultError:
        raise GatewayError(
            502,
            "avec_reveal_failed",
            "Restitution impossible : la correspondance des pseudonymes a expiré.",
            "api_error",
        ) from None
    rest = {k: v for k, v in choice.items() if k != "logprobs"}
    return {**rest, "message": message}


def _sse(data: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n\n"


async def _stream(
    state: GatewayState,
    system: SystemConfig,
    sent: dict[str, Any],
    body: dict[str, Any],
    conversation: Conversation,
    protected: ProtectedRequest,
    rec: RequestRecord,
    headers: dict[str, str],
    t0: float,
    after: AfterSend,
    source: Sources,
) -> Response:
    raw_options = body.get("stream_options")
    options: dict[str, Any] = raw_options if isinstance(raw_options, dict) else {}
    wants_usage = bool(options.get("include_usage"))
    if system.stream_usage:
        sent["stream_options"] = {**options, "include_usage": True}
    try:
        response = await state.upstream.open_stream(system, sent, on_sent=after)
    except GatewayError as err:
        after.abandon()
        rec.status, rec.error_code = "error", err.code
        _finish_record(state, rec, t0)
        raise
    transformer = StreamTransformer(conversation, rec.model, wants_usage)
    name = system.name or system.id

    async def upstream_batches() -> AsyncIterator[list[dict[str, Any]]]:
        try:
            async for batch in sse_batches(response, name):
                yield batch
        except StreamTruncatedError:
            if not transformer.complete():  # servers that skip [DONE] after finishing are fine
                raise

    def reveal(batch: list[dict[str, Any]], out: list[bytes]) -> None:
        """Append the client's chunks for the events of one upstream read to ``out``."""
        for event in batch:
            try:
                chunks = transformer.process(event)
            except VaultError:
                raise
            except Exception:  # an event of an unexpected shape: nothing held is released
                raise malformed("événement de flux inattendu") from None
            for chunk in chunks:
                if rec.ttft_ms is None and any(
                    (c.get("delta") or {}).get("content") for c in chunk["choices"]
                ):
                    rec.ttft_ms = (time.perf_counter() - t0) * 1000
                out.append(_sse(chunk))

    async def events() -> AsyncIterator[bytes]:
        try:
            async for batch in upstream_batches():
                # One write per upstream read, not one per event: under load several events
                # wait in the socket, and writing each alone costs more than revealing it.
                out: list[bytes] = []
                try:
                    reveal(batch, out)
                except Exception:
                    if out:  # the chunks revealed before the failing event still go out first
                        yield b"".join(out)
                    raise
                if out:
                    yield b"".join(out)
                if rec.ttft_ms is not None:
                    source.start()
            for chunk in transformer.finish():
                yield _sse(chunk)
            answers = transformer.answers()
            findings, status = await _verify(state, answers, source)
            rec.finding_counts = dict(finding_counts(findings))
            _tokens(rec, transformer.usage, sent, answers)
            ext = extension(
                conversation_id=headers[HEADER],
                system_id=system.id,
                replaced=protected.replaced,
                allowed=protected.allowed,
                findings=findings,
                status=status,
            )
            yield _sse({**transformer.last_template(), "choices": [], "avec": ext})
            yield b"data: [DONE]\n\n"
        except GatewayError as err:
            rec.status, rec.error_code = "error", err.code
            yield _sse(err.body())
        except VaultError:
            rec.status, rec.error_code = "error", "avec_reveal_failed"
            yield _sse(GatewayError(502, "avec_reveal_failed", "Restitution impossible.", "api_error").body())
        except Exception as exc:  # never a silent cut: the client learns the answer is incomplete
            _log.warning("flux de la passerelle interrompu (%s)", type(exc).__name__)
            rec.status, rec.error_code = "error", "avec_stream_failed"
            yield _sse(
                GatewayError(
                    502,
                    "avec_stream_failed",
                    "La réponse a été interrompue par une erreur de la passerelle : réessayez.",
                    "api_error",
                ).body()
            )
        finally:
            with anyio.CancelScope(shield=True):  # also when the client disconnects
                await response.aclose()
                _finish_record(state, rec, t0)

    headers["X-AVEC-Findings"] = "stream"
    return StreamingResponse(
        events(), media_type="text/event-stream", headers={**headers, "Cache-Control": "no-cache"}
    )
