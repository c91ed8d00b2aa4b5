"""Everything one gateway needs, built once per application and kept on ``app.state``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from avec.config import Settings
from avec.gateway.auth import KeyRing
from avec.gateway.config import ConfigError, GatewayConfig, load_config
from avec.gateway.conversations import BlobStore, Conversations, DatabaseBlobStore, MemoryBlobStore
from avec.gateway.findings import Verifier, default_verifier
from avec.gateway.policy import Detector
from avec.gateway.protection import ProtectCache
from avec.gateway.ratelimit import RateLimiter, RedisRateLimiter
from avec.gateway.records import (
    MemoryRequestJournal,
    QuietJournal,
    RequestJournal,
    SqlRequestJournal,
)
from avec.gateway.upstream import Upstream
from avec.gateway.worker import ProtectionWorker
from avec.protect.vault import load_key

_UNSET: Any = object()
_log = logging.getLogger("avec.gateway")


@dataclass
class GatewayState:
    """The gateway's collaborators (no module globals: one instance per application)."""

    settings: Settings
    config: GatewayConfig
    keys: KeyRing
    upstream: Upstream
    conversations: Conversations
    journal: QuietJournal  # records written in the gateway's quiet moments
    verifier: Verifier | None
    rate_limiter: RateLimiter
    detector: Detector | None = None  # None: the default pipeline, loaded on first use
    cache: ProtectCache = field(default_factory=ProtectCache)
    # Protection is CPU-bound and holds the GIL: one worker thread keeps the event loop
    # free for streams without adding contention.
    limiter: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(1))
    # Work a request leaves behind once answered (a strong reference keeps each task alive).
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # Protection (and AVEC's own checks) in a child process instead of threads: see worker.py.
    worker: ProtectionWorker | None = None

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` beside the request; :meth:`aclose` waits for it."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def pipeline(self) -> Detector:
        """The detection step (loading the default pipeline on first use)."""
        if self.detector is None:
            from avec.protect.pipeline import default_pipeline

            self.detector = default_pipeline()
        return self.detector

    @property
    def checks_in_worker(self) -> bool:
        """Whether the protection worker also runs the checks (AVEC's own verifier only)."""
        return self.worker is not None and self.verifier is default_verifier()

    async def start(self) -> None:
        """Load what protection needs before the first request: the worker, else the pipeline.

        A worker that cannot start leaves protection to threads of this process (logged).
        """
        if self.worker is not None:
            try:
                await self.worker.start()
                return
            except Exception as exc:
                _log.warning(
                    "processus de protection indisponible (%s) : protection dans le processus principal",
                    type(exc).__name__,
                )
                self.worker = None
        await anyio.to_thread.run_sync(self.pipeline)

    async def aclose(self) -> None:
        """Finish the requests' remaining work, write the queued journal records; release
        network connections and stop the protection worker."""
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.worker is not None:
            await self.worker.aclose()
        await anyio.to_thread.run_sync(self.journal.close)
        await self.upstream.aclose()

    def purge(self) -> int:
        """Delete expired conversations from the store; never raises (logs the error kind)."""
        try:
            return self.conversations.store.purge()
        except Exception as exc:
            _log.warning("purge des correspondances expirées impossible (%s)", type(exc).__name__)
            return 0

    async def purge_periodically(self) -> None:
        """Purge expired conversations every ``options.purge_interval_seconds`` (until cancelled)."""
        interval = self.config.options.purge_interval_seconds
        if interval <= 0:
            return
        while True:
            await anyio.sleep(interval)
            await anyio.to_thread.run_sync(self.purge)


def check_catalog(config: GatewayConfig, catalog: Iterable[Any]) -> None:
    """Refuse a system the catalogue forbids for health data but the gateway file approves.

    Raises:
        ConfigError: naming the system.
    """
    forbidden = {s.id for s in catalog if not getattr(s, "health_data_allowed", True)}
    for system in config.systems:
        if system.health_data and system.id in forbidden:
            raise ConfigError(
                f"le système « {system.id} » est déclaré homologué pour les données de santé dans la "
                "configuration de la passerelle, mais pas dans le catalogue : corrigez l'un des deux"
            )


def _catalog(settings: Settings) -> tuple[Any, ...]:
    try:
        from avec.catalog import load_catalog
    except ImportError:
        return ()
    return tuple(load_catalog(settings.data_dir))


def _upgrade_once_among_replicas(engine: Any, attempts: int = 5) -> None:
    """Migrate the journal, tolerating replicas that start (and migrate) at the same moment.

    On PostgreSQL replicas queue on an advisory lock (:func:`avec.journal.upgrade`); a failure
    left (a SQLite file locked by another process, a connection lost while starting) is tried
    again after a short random wait.

    Raises:
        JournalError: the database still cannot be migrated after ``attempts`` tries.
    """
    import random
    import time

    from avec.journal import JournalError, upgrade

    for attempt in range(attempts):
        try:
            upgrade(engine)
            return
        except JournalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 + random.random() * (attempt + 1))


def _rate_limiter(settings: Settings, config: GatewayConfig) -> RateLimiter:
    url = getattr(settings, "rate_limit_redis_url", None)
    if url is None:
        return RateLimiter(config)
    return RedisRateLimiter(config, url.get_secret_value())


def build_state(
    settings: Settings,
    upstream_transport: httpx.AsyncBaseTransport | None = None,
    *,
    config: GatewayConfig | None = None,
    detector: Detector | None = None,
    journal: RequestJournal | None = None,
    store: BlobStore | None = None,
    verifier: Verifier | None = _UNSET,
    environ: dict[str, str] | None = None,
) -> GatewayState:
    """Build the gateway's state from settings, with optional replacements for tests.

    Args:
        settings: AVEC settings; ``gateway_config`` (``AVEC_GATEWAY_CONFIG``) names the file
            when ``config`` is not given.
        upstream_transport: httpx transport for upstream calls (tests).
        config: an already-validated configuration.
        detector: detection step (default: the full pipeline).
        journal: where request records go (default: the journal database).
        store: where sealed conversations go (default: per ``options.vault_store``).
        verifier: answer checker (default: ``avec.verify.verify``).
        environ: where upstream keys are read (default: the process environment).

    Raises:
        ConfigError: no or invalid configuration, or a conflict with the catalogue.
    """
    if config is None:
        path = getattr(settings, "gateway_config", None)
        if path is None:
            raise ConfigError("aucun fichier de configuration : définissez AVEC_GATEWAY_CONFIG")
        config = load_config(path)
    check_catalog(config, _catalog(settings))
    engine = None
    needs_db = journal is None or (store is None and config.options.vault_store == "database")
    if needs_db:
        from avec.journal import make_engine

        engine = make_engine(settings.resolved_database_url())
        _upgrade_once_among_replicas(engine)
    if store is None:
        if config.options.vault_store == "database" and engine is not None:
            store = DatabaseBlobStore(engine, settings.vault_ttl_seconds)
        else:
            store = MemoryBlobStore(settings.vault_ttl_seconds)
    if journal is None:
        journal = SqlRequestJournal(engine) if engine is not None else MemoryRequestJournal()
    if verifier is _UNSET:
        verifier = default_verifier() if config.options.verify else None
    # The child builds the default pipeline itself; a detector given here lives in this
    # process, and a shared store needs its conflict retries (both stay in threads).
    key = load_key(settings)
    worker = None
    if config.options.protection_process and detector is None and not store.shared:
        worker = ProtectionWorker(settings, key)
    return GatewayState(
        settings=settings,
        config=config,
        keys=KeyRing(config.keys, allow_anonymous=config.options.allow_anonymous),
        rate_limiter=_rate_limiter(settings, config),
        upstream=Upstream(upstream_transport, environ),
        conversations=Conversations(store, key, settings),
        journal=QuietJournal(journal),
        verifier=verifier,
        detector=detector,
        worker=worker,
    )
