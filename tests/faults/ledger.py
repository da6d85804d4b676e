"""What the fault tests count in PostgreSQL, on both sides of the broker: events written and published by
a producer's outbox, events recorded by a consumer's inbox, and the effects a consumer applied."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aio_pika
import aio_pika.abc
import asyncpg
import httpx


@dataclass(frozen=True)
class WorkoutLedger:
    """The calories loop of some workouts: core → workout.created → ai → workout.calories_estimated → core."""

    created_events: int  # core's outbox rows of workout.created for them
    created_published: int
    ai_received: int  # ai's inbox rows of those events
    ai_estimates: int  # ai's effect: one estimate row per workout
    estimate_events: int  # ai's outbox rows of workout.calories_estimated for them
    estimate_events_published: int
    most_estimates_per_workout: int
    core_received: int  # core's inbox rows of those estimate events
    with_calories: int  # core's effect: workouts no longer pending
    most_updates_per_workout: int  # core's workout.updated events (one per applied estimate)

    expected: int = 0

    def __bool__(self) -> bool:
        """Complete: `expected` events went all the way round (so a wait can poll for a true ledger)."""
        return (self.created_published == self.ai_received == self.ai_estimates == self.estimate_events_published
                == self.core_received == self.with_calories == self.expected)


async def written(db: asyncpg.Connection, producer: str, event_type: str, users: list[uuid.UUID]) -> asyncpg.Record:
    """The events of `event_type` in `producer`'s outbox: `n` written, `published` of them."""
    return await db.fetchrow(
        f"select count(*) as n, count(published_at) as published from {producer}.outbox "
        "where type = $2 and user_id = any($1)", users, event_type)


async def received(db: asyncpg.Connection, consumer: str, producer: str, event_type: str,
                   users: list[uuid.UUID]) -> int:
    """The events of `event_type` from `producer`'s outbox that `consumer`'s inbox recorded."""
    return await db.fetchval(
        f"select count(*) from {consumer}.processed_events p join {producer}.outbox o on o.id = p.event_id "
        f"where o.type = $2 and o.user_id = any($1) and p.consumer = '{consumer}:' || $2", users, event_type)


async def most_per_workout(db: asyncpg.Connection, producer: str, event_type: str, users: list[uuid.UUID]) -> int:
    """The most events of `event_type` that `producer`'s outbox holds for any one workout."""
    return await db.fetchval(
        f"select coalesce(max(n), 0) from (select count(*) as n from {producer}.outbox where type = $2 "
        "and user_id = any($1) group by payload->'data'->>'workout_id') per_workout", users, event_type)


async def workout_ledger(db: asyncpg.Connection, user_ids: Sequence[uuid.UUID], expected: int) -> WorkoutLedger:
    users = list(user_ids)
    created = await written(db, "core", "workout.created", users)
    ai_received = await received(db, "ai", "core", "workout.created", users)
    estimates = await db.fetchval("select count(*) from ai.calorie_estimates where user_id = any($1)", users)
    estimate_events = await written(db, "ai", "workout.calories_estimated", users)
    core_received = await received(db, "core", "ai", "workout.calories_estimated", users)
    with_calories = await db.fetchval(
        "select count(*) from core.workouts where user_id = any($1) and calories_status <> 'pending' "
        "and calories_burned is not null", users)
    most_updates = await most_per_workout(db, "core", "workout.updated", users)
    most_estimates = await most_per_workout(db, "ai", "workout.calories_estimated", users)
    return WorkoutLedger(
        created_events=created["n"], created_published=created["published"], ai_received=ai_received,
        ai_estimates=estimates, estimate_events=estimate_events["n"],
        estimate_events_published=estimate_events["published"], most_estimates_per_workout=most_estimates,
        core_received=core_received, with_calories=with_calories, most_updates_per_workout=most_updates,
        expected=expected,
    )


def workout_body(index: int, workout_id: uuid.UUID | None = None) -> dict[str, object]:
    """A plausible run, each on its own minute of the last days (so no two share a start)."""
    started = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=3, minutes=index)
    return {"id": str(workout_id or uuid.uuid4()), "activity": "running", "started_at": started.isoformat(),
            "duration_min": 20 + index % 40, "distance_km": round(3 + (index % 10) * 0.5, 1)}


async def post_workouts(client: httpx.AsyncClient, headers: dict[str, str], indexes: Iterable[int],
                        concurrency: int = 8) -> list[tuple[uuid.UUID, int | None]]:
    """POST a workout per index, `concurrency` at a time; (workout id, status or None if no answer)."""
    results: list[tuple[uuid.UUID, int | None]] = []
    pending = iter(list(indexes))

    async def client_loop() -> None:
        for index in pending:
            body = workout_body(index)
            try:
                response = await client.post("/api/v1/workouts", json=body, headers=headers)
                status: int | None = response.status_code
            except httpx.HTTPError:
                status = None
            results.append((uuid.UUID(str(body["id"])), status))

    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    return results


@dataclass(frozen=True)
class WriteTrace:
    """What one workout create left behind: all three or none, never a part."""

    row: bool
    event: bool
    change: bool

    @property
    def whole(self) -> bool:
        return self.row and self.event and self.change

    @property
    def absent(self) -> bool:
        return not (self.row or self.event or self.change)


async def workout_traces(db: asyncpg.Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, WriteTrace]:
    ids = list(ids)
    rows = {r["id"] for r in await db.fetch("select id from core.workouts where id = any($1)", ids)}
    events = {uuid.UUID(r["workout_id"]) for r in await db.fetch(
        "select payload->'data'->>'workout_id' as workout_id from core.outbox where type = 'workout.created' "
        "and payload->'data'->>'workout_id' = any($1)", [str(i) for i in ids])}
    changes = {r["resource_id"] for r in await db.fetch(
        "select resource_id from core.changes where resource_id = any($1)", ids)}
    return {i: WriteTrace(i in rows, i in events, i in changes) for i in ids}


class EventTap:
    """A queue of the test's own bound to the exchange: what a consumer of `routing_key` would receive."""

    def __init__(self, url: str, exchange: str, routing_key: str) -> None:
        self.url, self.exchange, self.routing_key = url, exchange, routing_key
        self.workout_ids: list[uuid.UUID] = []  # in arrival order, duplicates kept
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def __aenter__(self) -> EventTap:
        self._connection = await aio_pika.connect_robust(self.url)
        channel = await self._connection.channel()
        exchange = await channel.declare_exchange(self.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, routing_key=self.routing_key)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                self.workout_ids.append(uuid.UUID(json.loads(message.body)["data"]["workout_id"]))

        await queue.consume(on_message)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._connection is not None:
            await self._connection.close()
