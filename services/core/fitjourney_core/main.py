"""Builds the core service's FastAPI app: the only place it is assembled; nothing runs at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from fitjourney_common.observability.tracing import native_telemetry
from fitjourney_common.runtime import open_runtime, running_events, runtime_lifespan
from fitjourney_common.service_defaults import install_service_defaults
from fitjourney_common.storage import serve_local_objects
from fitjourney_core.account.export_job import ExportRunner
from fitjourney_core.account.router import router as account_router
from fitjourney_core.activities.router import router as activities_router
from fitjourney_core.body_metrics.router import router as body_metrics_router
from fitjourney_core.consumers import build_subscriptions
from fitjourney_core.food_logs.router import router as food_logs_router
from fitjourney_core.foods.router import router as foods_router
from fitjourney_core.habits.router import router as habits_router
from fitjourney_core.journal.router import router as journal_router
from fitjourney_core.notifications.router import router as notifications_router
from fitjourney_core.partitions import ensure_partitions, maintain_partitions
from fitjourney_core.profile.router import router as profile_router
from fitjourney_core.profile.service import write_context
from fitjourney_core.runtime import NEEDS, CoreRuntime
from fitjourney_core.settings import CoreSettings
from fitjourney_core.summary.router import router as summary_router
from fitjourney_core.sync.router import router as sync_router
from fitjourney_core.workouts.router import router as workouts_router

log = logging.getLogger(__name__)

ROUTERS = (
    profile_router, activities_router, workouts_router, body_metrics_router, foods_router,
    food_logs_router, habits_router, journal_router, summary_router, sync_router, notifications_router,
    account_router,
)


@contextlib.asynccontextmanager
async def open_core_runtime(settings: CoreSettings, *, run_event_worker: bool) -> AsyncIterator[CoreRuntime]:
    """Core's backends, export runner, partition upkeep and (with `run_event_worker`) its events: what
    the app's lifespan and `python -m fitjourney_core.worker` both run."""
    async with open_runtime(settings, NEEDS) as backends:
        runtime = CoreRuntime(**backends.backends(), exports=ExportRunner(backends),
                              writes=write_context(backends.redis))
        async with running_events(runtime, build_subscriptions(runtime), consume=run_event_worker):
            await _prepare_partitions(runtime, settings)
            stop = asyncio.Event()
            maintenance = asyncio.create_task(maintain_partitions(
                runtime.engine, settings.partition_months_ahead, settings.partition_maintenance_seconds, stop))
            try:
                yield runtime
            finally:
                stop.set()
                await maintenance
                # Before the backends close: a running export still needs the database and the store.
                await runtime.exports.close()


def create_app(settings: CoreSettings | None = None) -> FastAPI:
    settings = settings or CoreSettings()
    app = FastAPI(
        title="FitJourney core",
        version="1.0.0",
        summary="Profiles, workouts, food, body metrics, habits, journal, summaries, sync, notifications.",
        lifespan=runtime_lifespan(open_core_runtime, settings),
        telemetry=native_telemetry(settings.otlp_endpoint),
    )
    install_service_defaults(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    serve_local_objects(app, settings)
    return app


async def _prepare_partitions(runtime: CoreRuntime, settings: CoreSettings) -> None:
    """A start-up chore that must not stop the service from serving if it fails (readyz reports it)."""
    try:
        await ensure_partitions(runtime.engine, settings.partition_months_ahead)
    except Exception:
        log.exception("partitions could not be created ahead; the DEFAULT partition takes new rows")
