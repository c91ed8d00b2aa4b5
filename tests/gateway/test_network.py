"""The upstream network layer (asyncio backend under httpx), against real sockets.

Each test runs a small HTTP/1.1 server on 127.0.0.1 that behaves the way upstream servers do
when things go well and when they do not (silence, cut streams, closed idle connections,
large bodies, TLS), on asyncio's own event loop and on uvloop (which uvicorn takes when it is
installed, as ``uvicorn[standard]`` does, and whose transports are no ``asyncio.Transport``).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from avec.gateway.network import upstream_transport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
LOCALHOST = ipaddress.ip_address("127.0.0.1")
LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=10)
Run = Callable[[Coroutine[Any, Any, None]], None]


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Run:
    """Runs a coroutine on a new event loop of each kind, failing after 30 s instead of hanging."""
    factory = None
    if request.param == "uvloop":
        factory = pytest.importorskip("uvloop").new_event_loop

    def run_on(coro: Coroutine[Any, Any, None]) -> None:
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(asyncio.wait_for(coro, timeout=30))

    return run_on


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return await reader.readexactly(length) if length else b""


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


STREAM_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"


async def _with_server(
    handler: Handler, test: Callable[[str, list[int]], Awaitable[None]], tls: ssl.SSLContext | None = None
) -> None:
    connections: list[int] = []

    async def counted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(counted, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    scheme = "https" if tls else "http"
    try:
        await test(f"{scheme}://127.0.0.1:{port}", connections)
    finally:
        server.close()


def _client(ssl_context: ssl.SSLContext | None = None, timeout: float = 5.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=upstream_transport(LIMITS, ssl_context), timeout=timeout)


async def _events_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:  # keep-alive: answer requests until the client leaves
        await _read_request(reader)
        writer.write(STREAM_HEAD)
        for i in range(20):
            writer.write(_chunk(b'data: {"n": %d}\n\n' % i))
            await writer.drain()
        writer.write(_chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")
        await writer.drain()


def test_streamed_answers_arrive_whole_and_the_connection_is_reused(run: Run) -> None:
    async def test(url: str, connections: list[int]) -> None:
        async with _client() as client:
            for _ in range(3):
                async with client.stream("POST", url, content=b"{}") as r:
                    body = b"".join([part async for part in r.aiter_bytes()])
                assert body.count(b"data: {") == 20 and body.endswith(b"data: [DONE]\n\n")
        assert len(connections) == 1

    run(_with_server(_events_server, test))


def test_an_idle_connection_closed_by_the_server_is_replaced(run: Run) -> None:
    async def one_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()  # then the connection is closed, without saying so in advance

    async def test(url: str, connections: list[int]) -> None:
        async with _client() as client:
            for _ in range(3):
                r = await client.post(url, content=b"{}")
                assert r.text == "ok"
                await asyncio.sleep(0.05)  # the close reaches the client before its next request
        assert len(connections) == 3

    run(_with_server(one_answer, test))


def test_a_silent_server_times_out(run: Run) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(5)

    async def test(url: str, connections: list[int]) -> None:
        async with _client(timeout=0.2) as client:
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            with pytest.raises(httpx.ReadTimeout):
                await client.post(url, content=b"{}")
            assert loop.time() - t0 < 2

    run(_with_server(silent, test))


def test_a_stream_cut_in_the_middle_is_an_error(run: Run) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(STREAM_HEAD + _chunk(b'data: {"n": 1}\n\n'))
        await writer.drain()

    async def test(url: str, connections: list[int]) -> None:
        async with _client() as client:
            parts: list[bytes] = []
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                async with client.stream("POST", url, content=b"{}") as r:
                    async for part in r.aiter_bytes():
                        parts.append(part)
            assert b"".join(parts) == b'data: {"n": 1}\n\n'

    run(_with_server(cut, test))


def test_a_refused_connection_is_a_connect_error(run: Run) -> None:
    async def test(url: str, connections: list[int]) -> None:
        pass

    async def refused() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        async with _client() as client:
            with pytest.raises(httpx.ConnectError):
                await client.post(f"http://127.0.0.1:{port}", content=b"{}")

    run(refused())


def test_a_body_larger_than_the_read_buffer_arrives_intact(run: Run) -> None:
    payload = bytes(range(256)) * (3 * 4096)  # 3 MiB, more than the buffer kept before pausing

    async def big(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
        await writer.drain()

    async def test(url: str, connections: list[int]) -> None:
        async with _client() as client, client.stream("POST", url, content=b"{}") as r:
            got = bytearray()
            async for part in r.aiter_bytes():
                got += part
                await asyncio.sleep(0)  # a slow reader: the socket buffer fills up
        assert bytes(got) == payload

    run(_with_server(big, test))


def test_a_request_body_larger_than_the_socket_buffer_is_sent_whole(run: Run) -> None:
    payload = b"x" * (4 << 20)

    async def echo_length(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        body = await _read_request(reader)
        text = str(len(body)).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(text) + text)
        await writer.drain()

    async def test(url: str, connections: list[int]) -> None:
        async with _client() as client:
            r = await client.post(url, content=payload)
        assert r.text == str(len(payload))

    run(_with_server(echo_length, test))


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "amont de test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOCALHOST)]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_tls_upstreams_are_verified(tmp_path: Path, run: Run) -> None:
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))

    async def test(url: str, connections: list[int]) -> None:
        async with _client(trusting) as client:
            for _ in range(2):
                async with client.stream("POST", url, content=b"{}") as r:
                    body = b"".join([part async for part in r.aiter_bytes()])
                assert body.count(b"data: {") == 20
        # The default trust store does not know this certificate: no request goes out.
        async with _client() as client:
            with pytest.raises(httpx.ConnectError):
                await client.post(url, content=b"{}")

    run(_with_server(_events_server, test, tls=server_ctx))
