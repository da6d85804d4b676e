"""A service's backends as one typed object (`Runtime`) that HTTP requests, event handlers and the worker
process all receive the same way, opened from settings and the backends the service declares it needs.

A service writes one `open_<service>_runtime(settings, *, run_event_worker)` context manager (open the
declared backends with `open_runtime`, add its own parts in a `Runtime` subclass, start its events with
`running_events`); its app's lifespan (`runtime_lifespan`) and its worker (`worker_main`) both use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, FastAPI
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from fitjourney_common.cache import create_redis, redis_ping
from fitjourney_common.db.engine import create_engine, create_session_factory, is_sqlite
from fitjourney_common.db.role_check import PrivilegedDatabaseRole, refuse_privileged_role
from fitjourney_common.events.bus import EventBus
from fitjourney_common.events.factory import create_bus
from fitjourney_common.events.outbox import OutboxRelay
from fitjourney_common.events.worker import EventWorker, Subscription, stop_on_signals
from fitjourney_common.heap import settle_heap
from fitjourney_common.observability.logging import configure_logging
from fitjourney_common.observability.metrics import instrument_engine, serve_metrics
from fitjourney_common.observability.tracing import configure_tracing, instrument_sqlalchemy, tracing_enabled
from fitjourney_common.ratelimit import RateLimiter, create_rate_limiter
from fitjourney_common.security import JWKSCache, TokenVerifier
from fitjourney_common.settings import CommonSettings
from fitjourney_common.storage import ObjectStore, create_object_store

log = logging.getLogger(__name__)

SettingsT = TypeVar("SettingsT", bound=CommonSettings)


@dataclass(frozen=True)
class BackendNeeds:
    """What a service declares it uses; `open_runtime` opens exactly that and nothing else.

    Every service has a database schema of its own, Redis (rate limits, revocation markers) and the bus.
    `outbox_model`: the service publishes events through its outbox (a relay is run).
    `object_store`: the service reads or writes objects (OBJECT_STORE_URL).
    `read_only_database`: the service also reads another service's data through READ_DATABASE_URL
    (a read-only role or a replica; DATABASE_URL when unset); `read_schema` names the schema it reads
    (on SQLite that schema's file is the one attached to the read engine).
    """

    schema: str
    outbox_model: type | None = None
    object_store: bool = False
    read_only_database: bool = False
    read_schema: str | None = None


class BackendNotDeclared(RuntimeError):
    """A service used a backend it did not declare in its `BackendNeeds`."""


@dataclass(kw_only=True)
class Runtime(Generic[SettingsT]):
    """The open backends of one service process. A service with parts of its own subclasses it
    (`@dataclass(kw_only=True) class CoreRuntime(Runtime[CoreSettings])`) and builds it with
    `CoreRuntime(**runtime.backends(), ...)`."""

    settings: SettingsT
    needs: BackendNeeds
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    redis: Redis
    rate_limiter: RateLimiter
    token_verifier: TokenVerifier
    bus: EventBus
    relay: OutboxRelay | None = None
    object_store: ObjectStore | None = None
    read_engine: AsyncEngine | None = None
    read_session_factory_: async_sessionmaker[AsyncSession] | None = None
    # Set by `running_events` when this process relays the outbox and consumes events.
    worker: EventWorker | None = None
    # Outside dev the database role must be one row-level security binds; when the database was down at
    # start, the first /readyz that reaches it checks (and the service stays unready if it is not).
    database_role_checked: bool = True

    @property
    def store(self) -> ObjectStore:
        if self.object_store is None:
            raise BackendNotDeclared(f"{self.settings.service_name} declared no object store")
        return self.object_store

    @property
    def read_session_factory(self) -> async_sessionmaker[AsyncSession]:
        if self.read_session_factory_ is None:
            raise BackendNotDeclared(f"{self.settings.service_name} declared no read-only database")
        return self.read_session_factory_

    def backends(self) -> dict[str, Any]:
        """The common fields, to build a service's subclass from an opened `Runtime`."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(Runtime)}

    async def database_ready(self) -> bool:
        if not self.database_role_checked:
            try:
                await refuse_privileged_role(self.engine, self.needs.schema)
            except PrivilegedDatabaseRole as exc:
                log.error("%s", exc)  # readiness answers only "down": say why
                raise
            self.database_role_checked = True
        async with self.engine.connect() as connection:
            await connection.execute(text("select 1"))
        return True

    async def read_database_ready(self) -> bool:
        assert self.read_engine is not None
        async with self.read_engine.connect() as connection:
            await connection.execute(text("select 1"))
        return True

    async def redis_ready(self) -> bool:
        return await redis_ping(self.redis)

    async def broker_ready(self) -> bool:
        return await self.bus.ping()

    async def store_ready(self) -> bool:
        return await self.store.ping()

    def readiness_checks(self) -> dict[str, Any]:
        """One check per declared backend, for /readyz."""
        checks = {"database": self.database_ready, "redis": self.redis_ready, "broker": self.broker_ready}
        if self.read_engine is not None:
            checks["read_database"] = self.read_database_ready
        if self.object_store is not None:
            checks["object_store"] = self.store_ready
        return checks

    def capabilities(self) -> dict[str, dict[str, Any]]:
        """Optional features and whether this process has them (`{"available": bool, "reason": ...}`);
        /readyz reports them without counting them against readiness."""
        return {}


class DevBackendRefused(RuntimeError):
    """An in-process dev backend configured outside dev/test without ALLOW_DEV_BACKENDS."""


def dev_backends_in_use(settings: CommonSettings, needs: BackendNeeds) -> dict[str, str]:
    """The variables of the declared backends that point at an in-process dev backend (name → value)."""
    urls = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
            "BROKER_URL": settings.broker_url}
    if needs.read_only_database:
        urls["READ_DATABASE_URL"] = settings.read_database_url or settings.database_url
    if needs.object_store:
        urls["OBJECT_STORE_URL"] = settings.object_store_url
    return {name: url for name, url in urls.items()
            if url.lower().startswith(("sqlite", "memory://", "file://"))}


def refuse_dev_backends(settings: CommonSettings, needs: BackendNeeds) -> None:
    """Outside dev and test an in-process backend (SQLite, memory://, file://) is a deployment mistake:
    refuse to start, naming the variable, unless ALLOW_DEV_BACKENDS says it is meant."""
    if settings.is_dev or settings.allow_dev_backends:
        return
    for name, url in dev_backends_in_use(settings, needs).items():
        raise DevBackendRefused(
            f"{name}={url} is an in-process dev backend, refused with ENVIRONMENT={settings.environment}: "
            f"point {name} at a real server, or set ALLOW_DEV_BACKENDS=true for a single-process demo")


def _open_engine(settings: CommonSettings, url: str, schema: str) -> AsyncEngine:
    engine = create_engine(
        url, schema, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds, pool_recycle=settings.db_pool_recycle_seconds,
        application_name=f"fitjourney-{settings.service_name}", echo=settings.db_echo)
    instrument_engine(engine, settings.service_name)
    if tracing_enabled():
        instrument_sqlalchemy(engine)
    return engine


@asynccontextmanager
async def open_runtime(
    settings: SettingsT, needs: BackendNeeds, *, token_verifier: TokenVerifier | None = None,
) -> AsyncIterator[Runtime[SettingsT]]:
    """Open the declared backends (the bus is created, not started: see `running_events`); closed on exit.

    `token_verifier` replaces the default one that reads JWKS_URL (auth verifies from its own keys).
    """
    refuse_dev_backends(settings, needs)
    engine = _open_engine(settings, settings.database_url, needs.schema)
    read_engine = (_open_engine(settings, settings.read_database_url or settings.database_url,
                                needs.read_schema or needs.schema) if needs.read_only_database else None)
    session_factory = create_session_factory(engine)
    redis = create_redis(settings.redis_url)
    bus = create_bus(settings)
    runtime: Runtime[SettingsT] = Runtime(
        settings=settings,
        needs=needs,
        engine=engine,
        session_factory=session_factory,
        redis=redis,
        rate_limiter=create_rate_limiter(settings.redis_url),
        token_verifier=token_verifier or TokenVerifier(JWKSCache(settings.jwks_url, settings.jwks_cache_seconds),
                                                       settings.jwt_issuer, settings.jwt_audience),
        bus=bus,
        relay=(OutboxRelay(session_factory, needs.outbox_model, bus, poll_seconds=settings.outbox_poll_seconds,
                           service=settings.service_name) if needs.outbox_model is not None else None),
        object_store=create_object_store(settings) if needs.object_store else None,
        read_engine=read_engine,
        read_session_factory_=create_session_factory(read_engine) if read_engine is not None else None,
    )
    try:
        if not settings.is_dev and not is_sqlite(settings.database_url):
            try:
                await refuse_privileged_role(engine, needs.schema)
            except PrivilegedDatabaseRole:
                raise
            except Exception:  # the database is not reachable yet: /readyz checks once it is
                log.warning("could not check the database role at start; /readyz checks it", exc_info=True)
                runtime.database_role_checked = False
        if runtime.object_store is not None:
            try:
                await runtime.object_store.ensure_bucket()
            except Exception:  # the service still serves; /readyz reports the store as down
                log.exception("object store bucket could not be prepared")
        yield runtime
    finally:
        await redis.aclose()
        if read_engine is not None:
            await read_engine.dispose()
        await engine.dispose()


@asynccontextmanager
async def running_events(
    runtime: Runtime[Any], subscriptions: Sequence[Subscription], *, consume: bool,
) -> AsyncIterator[None]:
    """Start the bus; with `consume`, also the consumers and the outbox relay (`runtime.worker`).

    On exit the worker stops taking messages, lets in-flight ones finish and be acked, publishes what
    is left in the outbox, then disconnects (see `EventWorker.stop`).
    """
    if not consume:
        await runtime.bus.start()
        try:
            yield
        finally:
            await runtime.bus.close()
        return
    runtime.worker = EventWorker(runtime.bus, runtime.relay, subscriptions)
    await runtime.worker.start()
    try:
        yield
    finally:
        await runtime.worker.stop()


# A service's `open_<service>_runtime(settings, *, run_event_worker)`: used by its app and by its worker.
OpenServiceRuntime = Callable[..., AbstractAsyncContextManager[Runtime[Any]]]


def runtime_lifespan(open_service: OpenServiceRuntime, settings: CommonSettings,
                     ) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan that opens the service's runtime and puts it on `app.state.runtime`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_service(settings, run_event_worker=settings.run_event_worker) as runtime:
            app.state.runtime = runtime
            settle_heap()
            yield

    return lifespan


def get_runtime(connection: HTTPConnection) -> Runtime[Any]:
    """The runtime of the app serving this request or WebSocket."""
    runtime: Runtime[Any] = connection.app.state.runtime
    return runtime


async def runtime_dependency(connection: HTTPConnection) -> Runtime[Any]:
    """`get_runtime` as a dependency: async, so FastAPI calls it on the event loop instead of handing a plain
    function to its thread pool (a thread hop per dependency per request)."""
    return get_runtime(connection)


RuntimeDep = Annotated[Runtime[Any], Depends(runtime_dependency)]


async def run_worker(open_service: OpenServiceRuntime, settings: CommonSettings,
                     stop: asyncio.Event | None = None) -> None:
    """The body of every `python -m fitjourney_<service>.worker`: relay the outbox and consume events, no
    HTTP, until `stop` is set (by default: until SIGTERM or SIGINT). Then in-flight messages finish and are
    acked, and the outbox is flushed, before it returns."""
    with contextlib.ExitStack() as signals:
        if stop is None:
            stop = asyncio.Event()
            # Installed before start-up: a SIGTERM while connecting still ends in a clean shutdown.
            signals.enter_context(stop_on_signals(stop))
        async with open_service(settings, run_event_worker=True):
            settle_heap()
            log.info("%s worker running", settings.service_name)
            await stop.wait()
            log.info("%s worker stopping: draining in-flight messages and the outbox", settings.service_name)


def worker_main(open_service: OpenServiceRuntime, settings: CommonSettings) -> None:
    """`main()` of a service's worker module: `worker_main(open_core_runtime, CoreSettings())`."""
    configure_logging(settings.log_level, settings.log_json, f"{settings.service_name}-worker")
    configure_tracing(f"{settings.service_name}-worker", settings.otlp_endpoint, settings.trace_sample_ratio)
    if settings.worker_metrics_port:
        serve_metrics(settings.worker_metrics_port)
        log.info("%s worker metrics on :%d/metrics", settings.service_name, settings.worker_metrics_port)
    asyncio.run(run_worker(open_service, settings))
