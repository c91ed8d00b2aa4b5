"""The gateway's connections to upstream systems: httpx over a plain asyncio network layer.

httpx reads a stream through httpcore's default network backend (anyio), which opens a
cancellation scope with its own timer, checks the running async library and yields to the
event loop once more for every read. A model streams hundreds of small events per answer, so
that bookkeeping cost more than revealing them: on the benchmark of ``bench/gateway.py`` a
streamed answer of 100 events took about a fifth less CPU with this layer. It is httpcore's own
extension point (``network_backend``); HTTP parsing, pooling and TLS settings stay httpx's.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any, cast

import httpcore
import httpx

# Reading pauses beyond this much unread data (a client slower than the model).
_HIGH_WATER = 1 << 20


class _Protocol(asyncio.Protocol):
    """Buffers what the socket receives until httpcore reads it."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self._reading_paused = False
        self._readable: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not derive from asyncio.Transport but have its methods.
        self._transport = cast(asyncio.Transport, transport)

    @property
    def transport(self) -> asyncio.Transport:
        """The connection's transport (the TLS one once :meth:`_Stream.start_tls` ran)."""
        assert self._transport is not None
        return self._transport

    @transport.setter
    def transport(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _HIGH_WATER and not self._reading_paused:
            self.transport.pause_reading()
            self._reading_paused = True
        self._wake_reader()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake_reader()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake_reader()
        self.resume_writing()

    def pause_writing(self) -> None:
        if self._writable is None:
            self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    def _wake_reader(self) -> None:
        if self._readable is not None and not self._readable.done():
            self._readable.set_result(None)

    def take(self, max_bytes: int) -> bytes:
        if len(self.buffer) <= max_bytes:
            data = bytes(self.buffer)
            self.buffer.clear()
        else:
            data = bytes(self.buffer[:max_bytes])
            del self.buffer[:max_bytes]
        if self._reading_paused and len(self.buffer) <= _HIGH_WATER // 2:
            self.transport.resume_reading()
            self._reading_paused = False
        return data

    async def readable(self, timeout: float | None) -> None:
        self._readable = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(timeout):
                await self._readable
        finally:
            self._readable = None

    async def writable(self, timeout: float | None) -> None:
        if self._writable is not None:
            async with asyncio.timeout(timeout):
                await asyncio.shield(self._writable)


# httpcore's names for connection details -> asyncio's.
_EXTRA_INFO = {
    "ssl_object": "ssl_object",
    "client_addr": "sockname",
    "server_addr": "peername",
    "socket": "socket",
}


class _Stream(httpcore.AsyncNetworkStream):
    def __init__(self, protocol: _Protocol) -> None:
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        proto = self._protocol
        if not proto.buffer and not proto.eof:
            try:
                await proto.readable(timeout)
            except TimeoutError:
                raise httpcore.ReadTimeout("délai de lecture dépassé") from None
        if proto.buffer:
            return proto.take(max_bytes)
        if proto.error is not None:
            raise httpcore.ReadError(type(proto.error).__name__)
        return b""  # end of stream: httpcore decides whether the response was complete

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        transport = self._protocol.transport
        if transport.is_closing():
            raise httpcore.WriteError("connexion fermée")
        transport.write(buffer)
        try:
            await self._protocol.writable(timeout)
        except TimeoutError:
            raise httpcore.WriteTimeout("délai d'écriture dépassé") from None

    async def aclose(self) -> None:
        self._protocol.transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        plain = self._protocol.transport
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    plain, self._protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError:
            plain.close()
            raise httpcore.ConnectTimeout("délai de négociation TLS dépassé") from None
        except (OSError, ssl.SSLError) as exc:
            plain.close()
            raise httpcore.ConnectError(type(exc).__name__) from None
        self._protocol.transport = cast(asyncio.Transport, transport)
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # An idle pooled connection with data or an end waiting was closed by the server.
            return bool(self._protocol.buffer) or self._protocol.eof
        name = _EXTRA_INFO.get(info)
        return self._protocol.transport.get_extra_info(name) if name else None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend on asyncio transports (TCP; no Unix sockets)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    _Protocol, host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout("délai de connexion dépassé") from None
        except OSError as exc:
            raise httpcore.ConnectError(type(exc).__name__) from None
        sock = transport.get_extra_info("socket")
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
        return _Stream(protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def upstream_transport(
    limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections use :class:`AsyncioBackend`.

    Args:
        limits: connection pool limits.
        ssl_context: certificates to trust; httpx's default (certifi, ``SSL_CERT_FILE``...).
    """
    context = ssl_context or httpx.create_ssl_context()
    transport = httpx.AsyncHTTPTransport(verify=context, limits=limits)
    # httpx has no parameter for the network backend: its pool is rebuilt with the same
    # settings httpx gives it, plus the backend.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=AsyncioBackend(),  # asyncio sets TCP_NODELAY on its TCP sockets
    )
    return transport
