"""The companion's application factory: ``create_app(settings)``.

Everything the routes need lives on ``app.state`` (no module globals), so several apps with
different databases can run in one process, as the tests do.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.trustedhost import TrustedHostMiddleware

from avec.catalog import load_catalog
from avec.config import Settings, get_settings
from avec.journal import Journal, SessionVaultStore, make_engine, upgrade
from avec.protect.pipeline import Pipeline
from avec.protect.vault import load_key
from avec.warmup import warm_up
from avec.web.findings import Verifier, default_verifier
from avec.web.flow import Companion
from avec.web.routes import api, pages
from avec.web.session import session_middleware

_HERE = Path(__file__).parent


def create_app(
    settings: Settings | None = None,
    *,
    pipeline: Pipeline | None = None,
    verifier: Verifier | Literal["auto"] | None = "auto",
    allowed_hosts: Sequence[str] | None = None,
) -> FastAPI:
    """Build the companion: migrate the database, load the catalogue, mount pages and API.

    Args:
        settings: defaults to the environment's (``AVEC_*``).
        pipeline: detection pipeline; the shared default pipeline (loaded in the background at
            start-up) when omitted. Tests inject a light one.
        verifier: ``verify(answer, source)``; ``"auto"`` for ``avec.verify`` when installed,
            None to run without automatic verification.
        allowed_hosts: accepted ``Host`` headers (no check when None). ``avec serve`` sets
            them on a loopback address so that a web page cannot reach the companion
            through DNS rebinding.

    Raises:
        JournalError: the database cannot be reached or migrated.
        CatalogError: the organisation's catalogue file is invalid.
    """
    settings = settings or get_settings()
    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    systems = {s.id: s for s in load_catalog(settings.data_dir)}
    store = SessionVaultStore(engine, settings.vault_ttl_seconds)
    store.purge()  # mappings left by a previous run that have expired since
    chosen_verifier = default_verifier() if verifier == "auto" else verifier
    warm = pipeline is None
    companion = Companion(
        settings=settings,
        journal=Journal(engine),
        store=store,
        key=load_key(settings),
        systems=systems,
        pipeline=pipeline,
        verifier=chosen_verifier,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm:
            # Loading the language model takes seconds: do it while the user reads the page.
            threading.Thread(target=warm_up, name="avec-warm-up", daemon=True).start()
        yield
        engine.dispose()

    app = FastAPI(
        title="AVEC — compagnon", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.companion = companion
    app.state.templates = Jinja2Templates(directory=str(_HERE / "templates"))
    app.middleware("http")(session_middleware)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    from avec.web.routes import practice  # dashboard, catalogue, patient version, guide keys

    app.include_router(practice.router)
    return app


async def _invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """Refuse malformed input without echoing it (FastAPI's default repeats the submitted text)."""
    return JSONResponse(
        {"detail": "Requête invalide : un champ manque ou dépasse la taille autorisée."}, status_code=422
    )
