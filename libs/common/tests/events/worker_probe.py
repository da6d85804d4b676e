"""A minimal service worker for `test_worker_process.py`, run as its own process through `worker_main`.

Its one consumer takes `probe.work`, says so in Redis, holds the message until the test releases it, then
writes `probe.done` to the outbox: so a SIGTERM can land while a message is in flight.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import redis.asyncio
from sqlalchemy.orm import DeclarativeBase

from fitjourney_common.db.base import make_base
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.events.outbox import OutboxMessageMixin, add_event
from fitjourney_common.events.worker import Subscription
from fitjourney_common.runtime import BackendNeeds, Runtime, open_runtime, running_events, worker_main
from fitjourney_common.settings import CommonSettings

Base: type[DeclarativeBase] = make_base("probe")


class ProbeOutbox(OutboxMessageMixin, Base):  # type: ignore[valid-type, misc]
    __tablename__ = "outbox"


NEEDS = BackendNeeds(schema="probe", outbox_model=ProbeOutbox)


def subscriptions(runtime: Runtime[CommonSettings], tag: str) -> list[Subscription]:
    async def work(envelope: EventEnvelope) -> None:
        await runtime.redis.rpush(f"{tag}:started", str(envelope.id))
        # Its own client: the service's has a 1 s socket timeout, too short for a blocking wait.
        async with redis.asyncio.from_url(runtime.settings.redis_url, socket_timeout=None) as waiting:
            await waiting.blpop([f"{tag}:release"], timeout=60)
        async with runtime.session_factory() as session, session.begin():
            add_event(session, ProbeOutbox, EventEnvelope(
                id=uuid.uuid4(), type="probe.done", occurred_at=datetime.now(UTC), data={"of": str(envelope.id)}))

    return [Subscription(queue=runtime.settings.queue_name("probe.work"), patterns=["probe.work"], handler=work)]


def opener(tag: str):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def open_probe_runtime(settings: CommonSettings, *, run_event_worker: bool,
                                 ) -> AsyncIterator[Runtime[CommonSettings]]:
        async with open_runtime(settings, NEEDS) as runtime:
            async with runtime.engine.begin() as connection:
                await connection.run_sync(Base.metadata.create_all)
            async with running_events(runtime, subscriptions(runtime, tag), consume=run_event_worker):
                assert runtime.worker is not None and runtime.worker.connected
                await runtime.redis.rpush(f"{tag}:ready", "1")  # the consumer is in place
                yield runtime
                # The signal arrived; leaving this block stops the worker, which waits for the message.
                await runtime.redis.rpush(f"{tag}:stopping", "1")

    return open_probe_runtime


if __name__ == "__main__":
    worker_main(opener(sys.argv[1]), CommonSettings(service_name="probe"))
