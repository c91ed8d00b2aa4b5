"""The upstream client: one ``httpx.AsyncClient`` for every system, errors mapped for the client.

Upstream keys come only from the environment variable each system names. Upstream error
bodies are never relayed as they are (they may quote the pseudonymized request): only the
status and a short machine code are kept, with a French message.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any

import httpx

from avec.gateway.config import SystemConfig
from avec.gateway.errors import GatewayError, upstream_error
from avec.gateway.network import upstream_transport

_log = logging.getLogger("avec.gateway")
_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_MAX_ERROR_BODY = 16_384


def malformed(detail: str) -> GatewayError:
    """The upstream answered something that is not an OpenAI chat response."""
    return upstream_error(
        502, "avec_upstream_malformed", f"Réponse du système d'IA illisible ({detail}) : réessayez plus tard."
    )


def _upstream_code(raw: bytes) -> str | None:
    """The upstream's machine error code, if it gave a short one."""
    try:
        data = json.loads(raw[:_MAX_ERROR_BODY])
    except ValueError:
        return None
    err = data.get("error") if isinstance(data, dict) else None
    code = err.get("code") or err.get("type") if isinstance(err, dict) else None
    return code if isinstance(code, str) and _CODE.fullmatch(code) else None


def status_error(status: int, raw: bytes, system_name: str) -> GatewayError:
    """The client-facing error for an upstream HTTP error status."""
    code = _upstream_code(raw)
    suffix = f" (code amont : {code})" if code else ""
    if status in (401, 403):
        return upstream_error(
            502,
            "avec_upstream_auth",
            f"Le système « {system_name} » refuse la clé d'API de la passerelle : "
            f"prévenez l'administrateur AVEC{suffix}.",
        )
    if status == 429:
        return GatewayError(
            429,
            code or "rate_limit_exceeded",
            f"Le système « {system_name} » limite le débit : réessayez dans un moment{suffix}.",
            "rate_limit_error",
        )
    if 400 <= status < 500:
        return GatewayError(
            400 if status != 404 else 404,
            code or f"upstream_{status}",
            f"Le système « {system_name} » a refusé la requête (statut {status}){suffix}. "
            "Vérifiez le modèle et les paramètres (taille du contexte, outils).",
        )
    return upstream_error(
        502,
        f"upstream_{status}",
        f"Le système « {system_name} » est en erreur (statut {status}) : réessayez plus tard.",
    )


def transport_error(exc: httpx.HTTPError, system_name: str) -> GatewayError:
    """The client-facing error for a timeout or a connection failure."""
    if isinstance(exc, httpx.TimeoutException):
        return upstream_error(
            504, "avec_upstream_timeout", f"Le système « {system_name} » n'a pas répondu à temps : réessayez."
        )
    return upstream_error(
        502,
        "avec_upstream_unreachable",
        f"Le système « {system_name} » est injoignable : réessayez plus tard.",
    )


class Upstream:
    """Sends chat requests to the systems' OpenAI-compatible endpoints.

    Args:
        transport: an httpx transport (tests inject one); the default network one otherwise.
        environ: where upstream keys are read (the process environment by default).
    """

    def __init__(
        self, transport: httpx.AsyncBaseTransport | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self._environ = environ if environ is not None else os.environ
        limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
        self.client = httpx.AsyncClient(
            transport=transport or upstream_transport(limits),
            limits=limits,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self.client.aclose()

    def _request(
        self, system: SystemConfig, body: dict[str, Any], on_sent: Callable[[], object] | None = None
    ) -> httpx.Request:
        headers = {"Content-Type": "application/json", **system.extra_headers}
        if system.api_key_env:
            key = self._environ.get(system.api_key_env, "")
            if not key:
                raise upstream_error(
                    503,
                    "avec_upstream_key_missing",
                    f"La clé d'API du système « {system.name or system.id} » n'est pas configurée "
                    f"(variable d'environnement {system.api_key_env}) : prévenez l'administrateur AVEC.",
                )
            headers["Authorization"] = f"Bearer {key}"
        t = system.timeout_seconds
        return self.client.build_request(
            "POST",
            f"{system.base_url}/chat/completions",
            content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers=headers,
            timeout=httpx.Timeout(t, connect=min(t, 10.0)),
            extensions={"trace": _sent_hook(on_sent)} if on_sent is not None else None,
        )

    async def complete(
        self, system: SystemConfig, body: dict[str, Any], on_sent: Callable[[], object] | None = None
    ) -> dict[str, Any]:
        """A non-streamed completion.

        Args:
            on_sent: as for :meth:`open_stream`.

        Raises:
            GatewayError: upstream error status, timeout, unreachable, or malformed answer.
        """
        name = system.name or system.id
        request = self._request(system, body, on_sent)
        try:
            response = await self.client.send(request)
        except httpx.HTTPError as exc:
            raise transport_error(exc, name) from None
        if response.status_code >= 400:
            raise status_error(response.status_code, response.content, name)
        try:
            data = response.json()
        except (ValueError, RecursionError):
            raise malformed("JSON invalide") from None
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
            raise malformed("champ « choices » absent")
        return data

    async def open_stream(
        self, system: SystemConfig, body: dict[str, Any], on_sent: Callable[[], object] | None = None
    ) -> httpx.Response:
        """Send a streamed request and check its status before any byte reaches the client.

        Args:
            on_sent: called in the event loop once the request body is written (httpcore's
                trace events; not called by transports without them), for work that must not
                delay the sending.

        Raises:
            GatewayError: upstream error status, timeout or unreachable.
        """
        name = system.name or system.id
        request = self._request(system, body, on_sent)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise transport_error(exc, name) from None
        if response.status_code >= 400:
            try:
                raw = await response.aread()
            except httpx.HTTPError:
                raw = b""
            finally:
                await response.aclose()
            raise status_error(response.status_code, raw, name)
        return response


def _sent_hook(on_sent: Callable[[], object]) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """An httpcore trace callback calling ``on_sent`` once the request body is written."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith("send_request_body.complete"):  # http11. or http2.
            try:
                on_sent()
            except Exception as exc:  # work done ahead of time: never a reason to fail the request
                _log.warning("tâche lancée après l'envoi en échec (%s)", type(exc).__name__)

    return trace


def truncated() -> GatewayError:
    """The upstream stream stopped before its end (no ``[DONE]``, unfinished choices)."""
    return upstream_error(
        502,
        "avec_upstream_truncated",
        "La réponse du système d'IA a été interrompue avant la fin : réessayez.",
    )


class StreamTruncatedError(GatewayError):
    """The upstream stream ended without ``[DONE]`` (the caller decides if the answer is whole)."""

    def __init__(self) -> None:
        err = truncated()
        super().__init__(err.status, err.code, err.message, err.type)


def _sse_lines(pending: bytes, data: bytes) -> tuple[list[bytes], bytes]:
    """Complete lines of ``pending + data`` and what is left of an unfinished line.

    SSE ends lines with LF, CRLF or CR; a CRLF cut between two reads only adds an empty line,
    which is a separator anyway.
    """
    buf = pending + data
    if b"\r" in buf:
        buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    *lines, rest = buf.split(b"\n")
    return lines, rest


async def sse_batches(response: httpx.Response, system_name: str) -> AsyncIterator[list[dict[str, Any]]]:
    """The JSON payloads of an upstream Server-Sent Events stream, one list per read, until ``[DONE]``.

    Lines are split on bytes (``json.loads`` reads UTF-8 bytes): decoding each chunk to text
    and splitting it in httpx's line iterator cost more than revealing it, chunk by chunk. The
    events of one read come together so that the caller answers them in one write: when the
    gateway is busy, several events wait in the socket, and writing each on its own would cost
    more than revealing them. Events read before an error or ``[DONE]`` are yielded first.

    Raises:
        GatewayError: timeout, broken connection, an error event, or a malformed event.
        StreamTruncatedError: the stream ended without ``[DONE]``.
    """
    try:
        async for lines in _line_batches(response):
            batch, done, error = _read_events(lines, system_name)
            if batch:
                yield batch
            if error is not None:
                raise error
            if done:
                return
    except httpx.HTTPError as exc:
        raise transport_error(exc, system_name) from None
    raise StreamTruncatedError()


def _read_events(
    lines: list[bytes], system_name: str
) -> tuple[list[dict[str, Any]], bool, GatewayError | None]:
    """The events of ``lines``, whether the stream ended there, and the error that ended it."""
    batch: list[dict[str, Any]] = []
    try:
        for event in _events(lines, system_name):
            if event is None:
                return batch, True, None
            batch.append(event)
    except GatewayError as err:
        return batch, True, err
    return batch, False, None


async def _line_batches(response: httpx.Response) -> AsyncIterator[list[bytes]]:
    """The complete lines of each read, then the unfinished last line."""
    pending = b""
    async for data in response.aiter_bytes():
        lines, pending = _sse_lines(pending, data)
        yield lines
    yield [pending]


def _events(lines: list[bytes], system_name: str) -> Iterator[dict[str, Any] | None]:
    """The JSON payloads of ``data:`` lines; ``None`` for ``[DONE]``."""
    for line in lines:
        if not line.startswith(b"data:"):
            continue  # comments, ``event:`` and ``id:`` lines, blank separators
        payload = line[5:].strip()
        if payload == b"[DONE]":
            yield None
            return
        try:
            event = json.loads(payload)
        except (ValueError, RecursionError):
            raise malformed("événement de flux invalide") from None
        if not isinstance(event, dict):
            raise malformed("événement de flux invalide")
        if "error" in event:
            raise status_error(502, payload, system_name)
        yield event
