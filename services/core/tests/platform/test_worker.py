"""`python -m fitjourney_core.worker` as its own process: it consumes events (the API replica does not see
them) and exits cleanly on SIGTERM, leaving nothing unacked."""

from __future__ import annotations

import os
import uuid

import httpx
from core_helpers import publish_event
from fastapi import FastAPI

from fitjourney_common.events.envelope import new_event
from fitjourney_common.testing.processes import worker_process
from fitjourney_common.testing.rabbitmq import assert_worker_stops_cleanly, delete_broker_objects, listening
from fitjourney_core.settings import CoreSettings


async def test_the_worker_process_consumes_events_and_stops_on_sigterm(
    app: FastAPI, client: httpx.AsyncClient, settings: CoreSettings, auth_headers, wait_for,
) -> None:
    # Its own exchange: an event published there reaches the worker process and nothing else.
    tag = uuid.uuid4().hex[:8]
    worker_settings = settings.model_copy(update={"events_exchange": f"{settings.events_exchange}.w{tag}",
                                                  "events_queue_prefix": f"{settings.events_queue_prefix}w{tag}."})
    queue = worker_settings.events_queue
    env = {**os.environ, "ENVIRONMENT": "test", "DATABASE_URL": settings.database_url,
           "REDIS_URL": settings.redis_url, "BROKER_URL": settings.broker_url,
           "EVENTS_EXCHANGE": worker_settings.events_exchange,
           "EVENTS_QUEUE_PREFIX": worker_settings.events_queue_prefix,
           "OBJECT_STORE_URL": settings.object_store_url, "S3_ENDPOINT_URL": settings.s3_endpoint_url or "",
           "JWKS_URL": settings.jwks_url, "LOG_JSON": "false", "LOG_LEVEL": "WARNING"}
    try:
        async with worker_process("fitjourney_core.worker", env) as process:
            await wait_for(lambda: listening(queue), timeout=60)
            registered = new_event("user.registered", {"user_id": str(auth_headers.user_id),
                                                       "email": "grace@example.com", "display_name": "Grace Hopper"})
            await publish_event(worker_settings.events_exchange, registered)

            async def named() -> bool:
                profile = (await client.get("/api/v1/profile", headers=auth_headers)).json()
                return profile["display_name"] == "Grace Hopper"

            await wait_for(named)
            await assert_worker_stops_cleanly(process, queue)
    finally:
        await delete_broker_objects([queue, f"{queue}.dlq", f"{queue}.jobs", f"{queue}.jobs.dlq"],
                                    [worker_settings.events_exchange, f"{worker_settings.events_exchange}.dlx"])
