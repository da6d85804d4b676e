"""Small factories the core tests share (request bodies a client would send)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def workout_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "activity": "running_10kmh",
        "started_at": iso(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)),
        "duration_min": 30,
        "distance_km": 5.0,
        "avg_heart_rate": 150,
        "perceived_effort": 6,
    }
    body.update(overrides)
    return body


def body_metric_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "measured_at": iso(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)),
        "weight_kg": 72.5,
    }
    body.update(overrides)
    return body


BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"


class BrokerListener:
    """An exclusive queue bound to the session's exchange: what a consumer elsewhere would receive."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.received: list[dict[str, Any]] = []

    async def drain(self) -> list[dict[str, Any]]:
        """Move every message waiting on the queue into `received`; returns `received`."""
        import json

        while True:
            message = await self.queue.get(no_ack=True, fail=False)
            if message is None:
                return self.received
            self.received.append(json.loads(message.body))

    async def waiting(self) -> int:
        declared = await self.queue.channel.declare_queue(self.queue.name, passive=True)
        return int(declared.declaration_result.message_count or 0)


@asynccontextmanager
async def broker_listener(exchange: str, *patterns: str) -> AsyncIterator[BrokerListener]:
    import aio_pika

    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel()
        declared_exchange = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for pattern in patterns:
            await queue.bind(declared_exchange, routing_key=pattern)
        yield BrokerListener(queue)
    finally:
        await connection.close()


async def publish_event(exchange: str, envelope: Any) -> None:
    """Publish an envelope the way another service's relay does (persistent, routing key = type)."""
    import aio_pika

    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        declared = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        await declared.publish(
            aio_pika.Message(envelope.to_json(), content_type="application/json", message_id=str(envelope.id),
                             type=envelope.type, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=envelope.type,
        )
    finally:
        await connection.close()


async def event_processed(app: Any, event_id: Any) -> bool:
    """Core's inbox recorded the event: its handler ran and committed."""
    from sqlalchemy import select

    from fitjourney_core.db import ProcessedEvent

    async with app.state.runtime.session_factory() as session:
        found = await session.scalar(select(ProcessedEvent.event_id).where(ProcessedEvent.event_id == event_id))
    return found is not None


async def rows_of_user(app: Any, table: str, user_id: Any) -> int:
    """How many rows of `core.<table>` the user owns, read as that user (RLS applies): the database's own
    answer, for when the user's token no longer opens the API (after erasure)."""
    from sqlalchemy import Uuid, bindparam, text

    from fitjourney_common.db.engine import bind_user

    async with app.state.runtime.session_factory() as session:
        await bind_user(session, user_id)
        query = text(f"select count(*) from core.{table} where user_id = :user_id").bindparams(
            bindparam("user_id", type_=Uuid))
        return int((await session.execute(query, {"user_id": user_id})).scalar_one())


async def assert_token_refused_as_erased(client: Any, headers: Any) -> None:
    """The erased account's still-unexpired token opens nothing, and a replayed write recreates nothing."""
    response = await client.get("/api/v1/workouts", headers=headers)
    assert response.status_code == 401, response.text
    assert "deleted" in response.json()["detail"]
    replay = await client.post("/api/v1/workouts", json=workout_body(), headers=headers)
    assert replay.status_code == 401
