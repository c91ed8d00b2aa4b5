"""The gateway application: ``create_app`` for the gateway alone, ``include_gateway`` to mount it.

State lives on ``app.state.avec_gateway`` (a :class:`~avec.gateway.state.GatewayState`), never in
module globals, so several applications (tests, replicas in one process) never share a vault.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from avec.config import Settings
from avec.gateway.chat import chat_completions
from avec.gateway.errors import install_handlers
from avec.gateway.schema import CHAT_OPENAPI
from avec.gateway.state import GatewayState, build_state
from avec.warmup import warm_up


def gateway_state(request: Request) -> GatewayState:
    """The gateway state of the application serving ``request``."""
    state: GatewayState = request.app.state.avec_gateway
    return state


def router() -> APIRouter:
    """The OpenAI-compatible routes (``/v1/chat/completions``, ``/v1/models``)."""
    api = APIRouter(prefix="/v1")

    @api.post("/chat/completions", include_in_schema=True, openapi_extra=CHAT_OPENAPI)
    async def completions(request: Request) -> Response:
        return await chat_completions(request, gateway_state(request))

    @api.get("/models")
    async def models(request: Request) -> JSONResponse:
        state = gateway_state(request)
        principal = state.keys.authenticate(request.headers.get("authorization"))
        team = state.config.teams.get(principal.team) if principal.team else None
        allowed = None if team is None or team.systems is None else set(team.systems)
        data = [
            {"id": m.name, "object": "model", "created": 0, "owned_by": s.id}
            for s in state.config.systems
            if allowed is None or s.id in allowed
            for m in s.models
        ]
        return JSONResponse({"object": "list", "data": data})

    return api


def include_gateway(
    app: FastAPI,
    settings: Settings,
    upstream_transport: httpx.AsyncBaseTransport | None = None,
    **overrides: Any,
) -> GatewayState:
    """Mount the gateway routes on an existing application (``avec serve``).

    The caller closes the upstream connections at shutdown with ``await state.aclose()``.
    Keyword overrides are passed to :func:`~avec.gateway.state.build_state`.

    Raises:
        ConfigError: no or invalid gateway configuration.
    """
    state = build_state(settings, upstream_transport, **overrides)
    app.state.avec_gateway = state
    app.include_router(router())
    install_handlers(app, http_errors=False)
    return state


def create_app(
    settings: Settings,
    upstream_transport: httpx.AsyncBaseTransport | None = None,
    **overrides: Any,
) -> FastAPI:
    """The gateway alone, as an ASGI application.

    Args:
        settings: AVEC settings (a :class:`~avec.gateway.config.GatewaySettings` names the
            configuration file).
        upstream_transport: httpx transport for upstream calls (tests inject one).
        **overrides: see :func:`~avec.gateway.state.build_state` (``config``, ``detector``,
            ``journal``, ``store``, ``verifier``, ``environ``).

    Raises:
        ConfigError: no or invalid gateway configuration.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state: GatewayState = app.state.avec_gateway
        await state.start()  # load models before the first request
        verification = state.verifier is not None and not state.checks_in_worker
        await anyio.to_thread.run_sync(lambda: warm_up(detection=False, verification=verification))
        await anyio.to_thread.run_sync(state.purge)  # mappings that expired while stopped
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(state.purge_periodically)
            yield
            tasks.cancel_scope.cancel()
        await state.aclose()

    app = FastAPI(title="AVEC — passerelle", version="0.1.0", lifespan=lifespan)
    state = build_state(settings, upstream_transport, **overrides)
    app.state.avec_gateway = state
    app.include_router(router())
    install_handlers(app)
    return app


def app_from_environment() -> FastAPI:
    """The gateway configured by the environment (``AVEC_GATEWAY_CONFIG``...): one per worker."""
    from avec.gateway.config import GatewaySettings

    return create_app(GatewaySettings())
