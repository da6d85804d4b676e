"""Opens and closes a service's backends (database, Redis, rate limiter, tokens, events, objects)
in its lifespan, from settings alone, and names the readiness checks they offer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fitjourney_common.cache import create_redis, redis_ping
from fitjourney_common.db.engine import create_engine, create_session_factory
from fitjourney_common.events.bus import EventBus, create_bus
from fitjourney_common.events.outbox import OutboxRelay
from fitjourney_common.events.worker import EventWorker, Subscription
from fitjourney_common.observability.metrics import instrument_engine
from fitjourney_common.observability.tracing import instrument_sqlalchemy
from fitjourney_common.ratelimit import RateLimiter, create_rate_limiter
from fitjourney_common.security import JWKSCache, TokenVerifier
from fitjourney_common.settings import CommonSettings
from fitjourney_common.storage import ObjectStore, create_object_store

log = logging.getLogger(__name__)


@dataclass
class Backends:
    settings: CommonSettings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    redis: Redis
    rate_limiter: RateLimiter
    token_verifier: TokenVerifier
    bus: EventBus
    store: ObjectStore | None = None
    worker: EventWorker | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    async def database_ready(self) -> bool:
        async with self.engine.connect() as connection:
            await connection.execute(text("select 1"))
        return True

    async def redis_ready(self) -> bool:
        return await redis_ping(self.redis)

    async def broker_ready(self) -> bool:
        return await self.bus.ping()

    async def store_ready(self) -> bool:
        return self.store is None or await self.store.ping()

    def readiness_checks(self) -> dict[str, Any]:
        checks = {"database": self.database_ready, "redis": self.redis_ready, "broker": self.broker_ready}
        if self.store is not None:
            checks["object_store"] = self.store_ready
        return checks


@asynccontextmanager
async def open_backends(
    app: FastAPI,
    settings: CommonSettings,
    schema: str,
    *,
    outbox_model: type | None = None,
    subscriptions: Sequence[Subscription] = (),
    with_object_store: bool = False,
    run_event_worker: bool = True,
) -> AsyncIterator[Backends]:
    """Everything a request handler finds on `app.state`; closed again in reverse order."""
    engine = create_engine(settings.database_url, schema, pool_size=settings.db_pool_size, echo=settings.db_echo)
    instrument_engine(engine, settings.service_name)
    instrument_sqlalchemy(engine)
    session_factory = create_session_factory(engine)
    redis = create_redis(settings.redis_url)
    bus = create_bus(settings)
    backends = Backends(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        redis=redis,
        rate_limiter=create_rate_limiter(settings.redis_url),
        token_verifier=TokenVerifier(JWKSCache(settings.jwks_url, settings.jwks_cache_seconds),
                                     settings.jwt_issuer, settings.jwt_audience),
        bus=bus,
        store=create_object_store(settings) if with_object_store else None,
    )
    relay = (OutboxRelay(session_factory, outbox_model, bus, poll_seconds=settings.outbox_poll_seconds,
                         service=settings.service_name) if outbox_model is not None else None)
    if run_event_worker:
        backends.worker = EventWorker(bus, relay, list(subscriptions))
    for name in ("settings", "engine", "session_factory", "redis", "rate_limiter", "token_verifier", "bus",
                 "store"):
        setattr(app.state, name, getattr(backends, name))
    app.state.backends = backends
    app.state.outbox_relay = relay
    try:
        if backends.store is not None:
            try:
                await backends.store.ensure_bucket()
            except Exception:  # the service still serves; /readyz reports the store as down
                log.exception("object store bucket could not be prepared")
        if backends.worker is not None:
            await backends.worker.start()
        else:
            await bus.start()
        yield backends
    finally:
        if backends.worker is not None:
            await backends.worker.stop()
        else:
            await bus.close()
        await redis.aclose()
        await engine.dispose()
