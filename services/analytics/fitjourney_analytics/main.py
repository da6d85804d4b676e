"""Builds the analytics service's FastAPI app: the only place it is assembled; nothing runs at import time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from fitjourney_analytics.business.gauges import refresh_periodically
from fitjourney_analytics.business.router import router as business_router
from fitjourney_analytics.consumers import build_subscriptions
from fitjourney_analytics.dashboard.cache import DashboardCache
from fitjourney_analytics.dashboard.router import router as dashboard_router
from fitjourney_analytics.reports.router import router as reports_router
from fitjourney_analytics.runtime import NEEDS, AnalyticsRuntime
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_analytics.trends.router import router as trends_router
from fitjourney_common.runtime import open_runtime, running_events, runtime_lifespan
from fitjourney_common.service_defaults import install_service_defaults
from fitjourney_common.storage import serve_local_objects

ROUTERS = (dashboard_router, trends_router, reports_router, business_router)


@contextlib.asynccontextmanager
async def open_analytics_runtime(settings: AnalyticsSettings, *, run_event_worker: bool,
                                 ) -> AsyncIterator[AnalyticsRuntime]:
    """Analytics' backends, cache and (with `run_event_worker`) its events and the periodic refresh of the
    business gauges: what the app's lifespan and `python -m fitjourney_analytics.worker` both run."""
    async with open_runtime(settings, NEEDS) as backends:
        runtime = AnalyticsRuntime(**backends.backends(),
                                   dashboard_cache=DashboardCache(backends.redis, settings.dashboard_cache_ttl_seconds))
        async with running_events(runtime, build_subscriptions(runtime), consume=run_event_worker):
            stop = asyncio.Event()
            gauges = (asyncio.create_task(refresh_periodically(
                runtime.read_session_factory, runtime.session_factory, settings.business_metrics_refresh_seconds,
                stop)) if run_event_worker else None)
            try:
                yield runtime
            finally:
                stop.set()
                if gauges is not None:
                    await gauges


def create_app(settings: AnalyticsSettings | None = None) -> FastAPI:
    settings = settings or AnalyticsSettings()
    app = FastAPI(
        title="FitJourney analytics",
        version="1.0.0",
        summary="Dashboards, trends, reports and business metrics.",
        lifespan=runtime_lifespan(open_analytics_runtime, settings),
    )
    install_service_defaults(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    serve_local_objects(app, settings)
    return app
