"""Builds the skeleton service: its runtime (for the app and the worker alike) and its FastAPI app.
Nothing runs at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fitjourney_common.runtime import open_runtime, running_events, runtime_lifespan
from fitjourney_common.service_defaults import install_service_defaults
from fitjourney_skeleton.consumers import subscriptions
from fitjourney_skeleton.notes.router import router as notes_router
from fitjourney_skeleton.runtime import NEEDS, SkeletonRuntime
from fitjourney_skeleton.settings import SkeletonSettings

ROUTERS = (notes_router,)


@asynccontextmanager
async def open_skeleton_runtime(settings: SkeletonSettings, *, run_event_worker: bool,
                                ) -> AsyncIterator[SkeletonRuntime]:
    """The declared backends, the service's own parts and (with `run_event_worker`) its events: what
    the app's lifespan and `python -m fitjourney_skeleton.worker` both run."""
    async with open_runtime(settings, NEEDS) as backends:
        runtime = SkeletonRuntime(**backends.backends())
        async with running_events(runtime, subscriptions(runtime), consume=run_event_worker):
            yield runtime


def create_app(settings: SkeletonSettings | None = None) -> FastAPI:
    settings = settings or SkeletonSettings()
    app = FastAPI(title="FitJourney skeleton", version="1.0.0", summary="The template of a FitJourney service",
                  lifespan=runtime_lifespan(open_skeleton_runtime, settings))
    install_service_defaults(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    return app
