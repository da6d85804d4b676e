"""Builds the ai service's FastAPI app: the only place it is assembled; nothing runs at import time."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator

from fastapi import FastAPI

from fitjourney_ai.calories.router import router as calories_router
from fitjourney_ai.consumers import build_subscriptions
from fitjourney_ai.insights.router import router as insights_router
from fitjourney_ai.recognition.recognizer import FoodRecognizer
from fitjourney_ai.recognition.router import router as recognition_router
from fitjourney_ai.recommendations.router import router as recommendations_router
from fitjourney_ai.runtime import NEEDS, AiRuntime, create_openai
from fitjourney_ai.settings import AiSettings
from fitjourney_ai.trends.router import router as trends_router
from fitjourney_common.runtime import open_runtime, running_events, runtime_lifespan
from fitjourney_common.service_defaults import install_service_defaults

ROUTERS = (calories_router, recognition_router, trends_router, recommendations_router, insights_router)


@contextlib.asynccontextmanager
async def open_ai_runtime(settings: AiSettings, *, run_event_worker: bool) -> AsyncIterator[AiRuntime]:
    """ai's backends, food model and OpenAI client, and (with `run_event_worker`) its events: what the app's
    lifespan and `python -m fitjourney_ai.worker` both run."""
    # Only the consumers read objects (core's photos): an API without them holds no S3 client (14 MiB).
    needs = NEEDS if run_event_worker else dataclasses.replace(NEEDS, object_store=False)
    async with open_runtime(settings, needs) as backends:
        recognizer = FoodRecognizer(settings)
        # Only a process that consumes photo events needs the model from the start (see FoodRecognizer).
        recognizer.start_loading(build_session=run_event_worker)
        openai_client = create_openai(settings)
        runtime = AiRuntime(**backends.backends(), recognizer=recognizer, openai=openai_client)
        try:
            async with running_events(runtime, build_subscriptions(runtime), consume=run_event_worker):
                yield runtime
        finally:
            await recognizer.close()
            if openai_client is not None:
                await openai_client.close()


def create_app(settings: AiSettings | None = None) -> FastAPI:
    settings = settings or AiSettings()
    app = FastAPI(
        title="FitJourney ai",
        version="1.0.0",
        summary="Workout calories, food-photo recognition, trends, recommendations and insights.",
        lifespan=runtime_lifespan(open_ai_runtime, settings),
    )
    install_service_defaults(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    return app
