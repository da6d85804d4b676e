"""Builds the analytics service's FastAPI app: the only place it is assembled; nothing runs at import time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from fitjourney_analytics.business.gauges import refresh_periodically
from fitjourney_analytics.business.router import router as business_router
from fitjourney_analytics.consumers import build_subscriptions
from fitjourney_analytics.dashboard.cache import DashboardCache
from fitjourney_analytics.dashboard.router import router as dashboard_router
from fitjourney_analytics.models import SCHEMA, OutboxMessage
from fitjourney_analytics.reports.router import router as reports_router
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_analytics.trends.router import router as trends_router
from fitjourney_common.db.engine import create_engine, create_session_factory
from fitjourney_common.observability.metrics import instrument_engine
from fitjourney_common.runtime import open_backends
from fitjourney_common.service_defaults import install_service_defaults
from fitjourney_common.storage import LocalObjectStore, create_object_store, local_objects_router

ROUTERS = (dashboard_router, trends_router, reports_router, business_router)


@contextlib.asynccontextmanager
async def analytics_backends(host: Any, settings: AnalyticsSettings, *, run_event_worker: bool) -> AsyncIterator[None]:
    """The shared backends plus analytics' own: the read-only engine on core, the dashboard cache, and
    (where events are consumed) the periodic refresh of the business gauges."""
    read_engine = create_engine(settings.read_url, "core", pool_size=settings.db_pool_size, echo=settings.db_echo)
    instrument_engine(read_engine, settings.service_name)
    host.state.read_engine = read_engine
    host.state.read_session_factory = create_session_factory(read_engine)
    try:
        async with open_backends(host, settings, SCHEMA, outbox_model=OutboxMessage,
                                 subscriptions=build_subscriptions(host.state, settings.events_queue),
                                 with_object_store=True, run_event_worker=run_event_worker) as backends:
            host.state.dashboard_cache = DashboardCache(backends.redis, settings.dashboard_cache_ttl_seconds)
            stop = asyncio.Event()
            gauges = (asyncio.create_task(refresh_periodically(
                host.state.read_session_factory, backends.session_factory,
                settings.business_metrics_refresh_seconds, stop)) if run_event_worker else None)
            try:
                yield
            finally:
                stop.set()
                if gauges is not None:
                    await gauges
    finally:
        await read_engine.dispose()


def create_app(settings: AnalyticsSettings | None = None) -> FastAPI:
    settings = settings or AnalyticsSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with analytics_backends(app, settings, run_event_worker=settings.run_event_worker):
            yield

    app = FastAPI(
        title="FitJourney analytics",
        version="1.0.0",
        summary="Dashboards, trends, reports and business metrics.",
        lifespan=lifespan,
    )
    install_service_defaults(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    if settings.object_store_url.startswith("file://"):
        # Embedded dev: the local store's signed URLs are served by the app itself (S3 serves its own).
        local_store = create_object_store(settings)
        assert isinstance(local_store, LocalObjectStore)
        app.include_router(local_objects_router(local_store))
    return app
