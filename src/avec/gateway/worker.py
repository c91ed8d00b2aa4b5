"""The protection worker: detection, pseudonymization and checks in a child process.

Protecting a 2,000-character request costs about 3 ms of CPU, remembering its words 1.5 ms,
reading its source for the checks 1 ms. In worker threads, that work holds Python's global
interpreter lock against the event loop that relays every streamed event: at 50 concurrent
clients on two cores, a request waited 10 to 30 ms for the protection thread, and the time to
first token followed (``bench/gateway.py``). A child process has its own interpreter and takes
the other core. The event loop only writes each call on a socket and reads the reply: no thread
in this process, since waking one would wait for the same lock.

What crosses the socket stays in memory (the conversation, the request, pseudonymized sources),
pickled: both ends are this program's own processes, on a socket pair no other process can
reach. Errors come back as a kind and, for a blocked category, its labels, never as text (but
for the gateway's own French refusals, written by AVEC). If the child dies, the calls waiting on
it fail (the request is refused, nothing is sent) and the next call starts a new child.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import socket
import struct
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from typing import Any

from avec.config import Settings

_log = logging.getLogger("avec.gateway")
_HEADER = struct.Struct("!I")
# Requests whose deferred work (words to remember, a prepared source) waits in the child:
# each is taken by a later call, so only abandoned requests stay, the oldest dropped first. A
# source dropped early is only read again at the check; words dropped are no longer guarded.
_KEPT_PENDING = 4096
_KEPT_SOURCES = 512
_START_TIMEOUT = 120.0
_CALL_TIMEOUT = 60.0


class WorkerError(RuntimeError):
    """The protection worker is gone or failed; the message names only the error kind."""


# --- the child ----------------------------------------------------------------------------


class _Child:
    """The child's state: the pipeline, the cache of protected texts, deferred work.

    It also seals the conversation once its words are remembered (the vault key ``key``):
    encrypting it cost the event loop ≈ 0.25 ms per request.
    """

    def __init__(self, settings: Settings, key: bytes) -> None:
        from avec.gateway.protection import ProtectCache
        from avec.protect.pipeline import default_pipeline
        from avec.warmup import warm_up

        self.settings = settings
        self.key = key
        self.pipeline = default_pipeline()
        warm_up(detection=False, verification=True)
        self.cache = ProtectCache()
        self.pending: OrderedDict[int, Any] = OrderedDict()  # ticket -> RequestProtector
        self.sources: OrderedDict[int, Any] = OrderedDict()  # ticket -> prepared source

    def protect(self, ticket: int, conversation: Any, body: Any, policy: Any, scope: str) -> Any:
        """Protect the request; its words are remembered by a later ``remember`` call."""
        from avec.gateway.policy import PolicyDetector
        from avec.gateway.protection import RequestProtector, protect_request

        detector = PolicyDetector(self.pipeline, policy)
        protector = RequestProtector(
            conversation, detector, self.cache, scope, self.settings, defer_last=True
        )
        protected = protect_request(body, protector)
        _keep(self.pending, ticket, protector, _KEPT_PENDING)
        return conversation, protected

    def remember(self, ticket: int) -> Any:
        """Remember the words of a request; returns the new state and the conversation sealed."""
        protector = self.pending.pop(ticket)
        protector.remember_pending()
        conversation = protector.conversation
        conversation.purge()  # what :meth:`Conversations.save` does before sealing
        return conversation.state, conversation.to_blob(self.key)

    def source(self, ticket: int, text: str) -> None:
        from avec.gateway.findings import prepare_source
        from avec.verify import verify

        _keep(self.sources, ticket, prepare_source(verify, text), _KEPT_SOURCES)

    def verify(self, ticket: int, answers: list[str], text: str) -> tuple[list[dict[str, Any]], str]:
        from avec.gateway.findings import prepare_source, run_verification
        from avec.verify import verify

        source = self.sources.pop(ticket, None)
        if source is None:
            source = prepare_source(verify, text)
        return run_verification(verify, answers, source)


def _keep(store: OrderedDict[int, Any], ticket: int, value: Any, most: int) -> None:
    store[ticket] = value
    while len(store) > most:
        store.popitem(last=False)


def _error_reply(exc: Exception) -> tuple[str, Any]:
    """What the parent needs to refuse the request the same way, without any text."""
    from avec.gateway.errors import GatewayError
    from avec.gateway.policy import BlockedCategoryError
    from avec.protect.api import InputError, InputTooLargeError

    if isinstance(exc, GatewayError):  # the gateway's own French refusals (unsupported content...)
        return "gateway", (exc.status, exc.code, exc.message, exc.type, exc.param)
    if isinstance(exc, BlockedCategoryError):
        return "blocked", dict(exc.labels)
    if isinstance(exc, InputTooLargeError):
        return "too_large", None
    if isinstance(exc, InputError):
        return "input", None
    return "error", type(exc).__name__


def _frame(value: Any) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _frames(buffer: bytearray) -> list[Any]:
    """The complete frames at the start of ``buffer``, unpickled (removed from it)."""
    out = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if len(buffer) < _HEADER.size + size:
            break
        out.append(pickle.loads(buffer[_HEADER.size : _HEADER.size + size]))
        del buffer[: _HEADER.size + size]
    return out


# Work a request waits on; the rest (words to remember, sources read ahead) runs when none is
# queued: behind it, a request would wait 1-1.5 ms per job.
_URGENT = frozenset({"protect", "verify"})


def serve(sock: socket.socket, settings: Settings, key: bytes) -> None:
    """The child's loop, until the socket closes: urgent calls first, each kind in arrival order."""
    with sock:
        _serve(sock, _Child(settings, key))


def _serve(sock: socket.socket, child: _Child) -> None:
    operations: dict[str, Callable[..., Any]] = {
        "protect": child.protect,
        "remember": child.remember,
        "source": child.source,
        "verify": child.verify,
    }
    sock.sendall(_frame((0, "ready", None)))
    buffer = bytearray()
    urgent: deque[Any] = deque()
    later: deque[Any] = deque()
    while True:
        try:
            # Wait for a call when idle, else only take what has arrived meanwhile.
            flags = 0 if not urgent and not later else socket.MSG_DONTWAIT
            while True:
                data = sock.recv(1 << 20, flags)
                if not data:
                    return  # the parent closed the socket or is gone
                buffer += data
                flags = socket.MSG_DONTWAIT
        except BlockingIOError:
            pass
        except OSError:
            return
        for call in _frames(buffer):
            (urgent if call[1] in _URGENT else later).append(call)
        if not urgent and not later:
            continue  # only part of a call has arrived
        ticket, operation, args = urgent.popleft() if urgent else later.popleft()
        if operation == "verify":  # reading its source ahead is no use any more
            _drop(later, "source", args[0])
        try:
            reply: tuple[str, Any] = ("ok", operations[operation](*args))
        except Exception as exc:
            reply = _error_reply(exc)
        if ticket:  # ticket 0: the parent waits for no reply
            try:
                frame = _frame((ticket, *reply))
            except Exception as exc:  # a result that cannot be sent fails its call, not the child
                frame = _frame((ticket, "error", type(exc).__name__))
            sock.sendall(frame)


def _drop(queue: deque[Any], operation: str, ticket: int) -> None:
    for call in [c for c in queue if c[1] == operation and c[2][0] == ticket]:
        queue.remove(call)


# --- the parent ---------------------------------------------------------------------------


class _Replies(asyncio.Protocol):
    """The parent's end of the socket: replies resolve their calls as soon as they arrive.

    A protocol rather than a reading task: waking a task first, then the request, would cost
    one more turn of a busy event loop per call.
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.waiting: dict[int, asyncio.Future[Any]] = {}
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed = False
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            replies = _frames(self._buffer)
        except Exception as exc:  # an unreadable reply: drop the child rather than guess
            _log.warning("réponse du processus de protection illisible (%s)", type(exc).__name__)
            if self.transport is not None:
                self.transport.close()
            return
        for ticket, kind, value in replies:
            if ticket == 0:  # the child's pipeline is loaded
                if not self.ready.done():
                    self.ready.set_result(None)
                continue
            future = self.waiting.pop(ticket, None)
            if future is None or future.done():
                continue
            if kind == "ok":
                future.set_result(value)
            else:
                future.set_exception(_parent_error(kind, value))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        gone = WorkerError("processus de protection arrêté")
        if not self.ready.done():
            self.ready.set_exception(gone)
        waiting, self.waiting = self.waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(gone)


class ProtectionWorker:
    """Calls the protection child from the event loop; starts it, and again after it died.

    Args:
        settings: AVEC settings for the child (limits, TTL of new conversations).
        key: the vault key, to seal conversations (given to the child through its start pipe,
            never written anywhere).
        call_timeout: seconds a call may take; beyond, the child is taken as stuck and stopped
            (its calls fail, the next one starts a new child).
    """

    def __init__(self, settings: Settings, key: bytes, call_timeout: float = _CALL_TIMEOUT) -> None:
        self._settings = settings
        self._key = key
        self._call_timeout = call_timeout
        self._process: Any = None
        self._replies: _Replies | None = None
        self._starting: asyncio.Future[None] | None = None
        self._next = 0

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None and self._process.is_alive() else None

    def ticket(self) -> int:
        """A fresh number naming one request's work in the child."""
        self._next += 1
        return self._next

    def _running(self) -> _Replies | None:
        replies = self._replies
        if replies is None or replies.closed or replies.transport is None or replies.transport.is_closing():
            return None
        return replies

    async def start(self) -> None:
        """Start the child and wait until its pipeline is loaded (no-op while it runs).

        Raises:
            WorkerError: the child could not start.
        """
        if self._running() is not None:
            return
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._spawn())
        starting = self._starting
        try:
            await asyncio.shield(starting)
        finally:
            if starting.done():
                self._starting = None

    async def _spawn(self) -> None:
        if self._process is not None:
            _log.warning("processus de protection relancé (code de fin %s)", self._process.exitcode)
            if self._process.is_alive():
                self._process.kill()  # its socket is closed: it could not serve anyway
        parent, child = socket.socketpair()
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        process = context.Process(
            target=serve, args=(child, self._settings, self._key), name="avec-protection", daemon=True
        )
        try:
            process.start()
        except Exception as exc:
            parent.close()
            raise WorkerError(type(exc).__name__) from None
        finally:
            child.close()
        try:
            _, replies = await asyncio.get_running_loop().connect_accepted_socket(_Replies, parent)
            async with asyncio.timeout(_START_TIMEOUT):
                await replies.ready
        except (OSError, TimeoutError, WorkerError) as exc:
            process.kill()
            parent.close()
            raise WorkerError(type(exc).__name__) from None
        self._process, self._replies = process, replies

    async def call(self, operation: str, *args: Any) -> Any:
        """Run ``operation`` in the child and return its result.

        Raises:
            BlockedCategoryError, InputTooLargeError, InputError, GatewayError: as in this process.
            WorkerError: the child failed otherwise, died, or could not start.
        """
        await self.start()
        replies = self._running()
        if replies is None or replies.transport is None:
            raise WorkerError("processus de protection arrêté")
        self._next += 1
        key = -self._next  # replies are matched by a number no other call uses
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        replies.waiting[key] = future
        try:
            replies.transport.write(_frame((key, operation, args)))
        except Exception as exc:
            replies.waiting.pop(key, None)
            raise WorkerError(type(exc).__name__) from None
        try:
            async with asyncio.timeout(self._call_timeout):
                return await future
        except TimeoutError:
            _log.warning("processus de protection bloqué : arrêté")
            replies.transport.close()  # fails the other waiting calls too
            if self._process is not None:
                self._process.kill()
            raise WorkerError("délai dépassé") from None

    def post(self, operation: str, *args: Any) -> None:
        """Queue ``operation`` in the child without waiting for it (dropped if the child is down)."""
        replies = self._running()
        if replies is not None and replies.transport is not None:
            replies.transport.write(_frame((0, operation, args)))

    async def aclose(self) -> None:
        """Stop the child (it finishes the call in progress)."""
        replies, process = self._replies, self._process
        self._replies = None
        if replies is not None and replies.transport is not None:
            replies.transport.close()
        if process is not None:
            await asyncio.to_thread(process.join, 10)
            if process.is_alive():
                process.kill()
            if process.exitcode not in (0, None):
                _log.warning("processus de protection arrêté (code %s)", process.exitcode)


def _parent_error(kind: str, value: Any) -> Exception:
    from avec.gateway.errors import GatewayError
    from avec.gateway.policy import BlockedCategoryError
    from avec.protect.api import InputError, InputTooLargeError

    if kind == "gateway":
        return GatewayError(*value)
    if kind == "blocked":
        return BlockedCategoryError(Counter(value))
    if kind == "too_large":
        return InputTooLargeError("texte trop long pour être protégé")
    if kind == "input":
        return InputError("message illisible")
    return WorkerError(str(value))
