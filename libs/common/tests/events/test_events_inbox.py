"""Inbox: a redelivered event changes nothing, and a failed handler leaves no trace so the retry works."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import aio_pika
import asyncpg
from sqlalchemy import event as event_module
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitjourney_common.db.engine import create_engine, create_session_factory
from fitjourney_common.events import EventEnvelope, idempotent, new_event
from fitjourney_common.events.rabbitmq import RabbitMQBus
from fitjourney_common.testing.events import workout_data
from fitjourney_common.testing.polling import poll_until

WaitFor = Callable[..., Awaitable[None]]
MakeBus = Callable[..., Awaitable[RabbitMQBus]]
Sessions = async_sessionmaker[AsyncSession]


def workout_created() -> EventEnvelope:
    return new_event("workout.created", workout_data(activity="rowing", duration_min=20,
                                                     started_at=datetime(2025, 3, 1, 7, 30, tzinfo=UTC)))


def copy_workout(tables: SimpleNamespace, calls: list[uuid.UUID] | None = None) -> Callable[..., Awaitable[None]]:
    """A consumer that keeps its own copy of each workout (like analytics does)."""

    async def handle(session: AsyncSession, envelope: EventEnvelope) -> None:
        if calls is not None:
            calls.append(envelope.id)
        data = envelope.data
        session.add(tables.Workout(id=uuid.UUID(data["workout_id"]), user_id=envelope.user_id,
                                   activity=data["activity"], started_at=datetime.fromisoformat(data["started_at"])))

    return handle


async def count(sessions: Sessions, model: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_same_event_delivered_twice_is_handled_once(pg_sessions: Sessions, tables: SimpleNamespace) -> None:
    calls: list[uuid.UUID] = []
    handle = idempotent(pg_sessions, tables.ProcessedEvent, "analytics.workouts", copy_workout(tables, calls))
    event = workout_created()
    await handle(event)
    await handle(EventEnvelope.from_json(event.to_json()))  # a redelivery is a new object, same id
    assert calls == [event.id]
    assert await count(pg_sessions, tables.Workout) == 1
    assert await count(pg_sessions, tables.ProcessedEvent) == 1


async def test_concurrent_duplicates_are_handled_once(pg_sessions: Sessions, tables: SimpleNamespace) -> None:
    handle = idempotent(pg_sessions, tables.ProcessedEvent, "analytics.workouts", copy_workout(tables))
    event = workout_created()
    await asyncio.gather(*(handle(event) for _ in range(5)))
    assert await count(pg_sessions, tables.Workout) == 1


async def test_each_consumer_processes_the_event_once(pg_sessions: Sessions, tables: SimpleNamespace) -> None:
    calls: list[str] = []

    def named(name: str) -> Callable[..., Awaitable[None]]:
        async def handle(session: AsyncSession, envelope: EventEnvelope) -> None:
            calls.append(name)
        return handle

    event = workout_created()
    for name in ("ai.calories", "analytics.workouts", "ai.calories"):
        await idempotent(pg_sessions, tables.ProcessedEvent, name, named(name))(event)
    assert calls == ["ai.calories", "analytics.workouts"]


async def test_a_failed_handler_rolls_back_so_the_retry_runs_again(
    pg_sessions: Sessions, tables: SimpleNamespace,
) -> None:
    attempts = 0
    copy = copy_workout(tables)

    async def fails_after_writing(session: AsyncSession, envelope: EventEnvelope) -> None:
        nonlocal attempts
        attempts += 1
        await copy(session, envelope)
        await session.flush()
        if attempts == 1:
            raise ConnectionError("object store timed out")

    handle = idempotent(pg_sessions, tables.ProcessedEvent, "analytics.workouts", fails_after_writing)
    event = workout_created()
    with contextlib.suppress(ConnectionError):
        await handle(event)
    assert await count(pg_sessions, tables.Workout) == 0
    assert await count(pg_sessions, tables.ProcessedEvent) == 0
    await handle(event)
    assert attempts == 2
    assert await count(pg_sessions, tables.Workout) == 1


async def test_the_handler_session_is_scoped_to_the_events_user(pg_sessions: Sessions, tables: SimpleNamespace) -> None:
    seen: list[str | None] = []

    async def read_rls_user(session: AsyncSession, envelope: EventEnvelope) -> None:
        seen.append(await session.scalar(text("select current_setting('app.user_id', true)")))

    event = workout_created()
    await idempotent(pg_sessions, tables.ProcessedEvent, "rls", read_rls_user)(event)
    assert seen == [str(event.user_id)]


async def test_the_claim_rides_with_begin_and_the_rls_user_in_one_round_trip(
    pg_sessions: Sessions, tables: SimpleNamespace,
) -> None:
    sent: list[str] = []
    engine = pg_sessions.kw["bind"]

    def log_queries(_dbapi: Any, record: Any, _proxy: Any) -> None:
        record.driver_connection.add_query_logger(lambda query: sent.append(query.query))

    event_module.listen(engine.sync_engine.pool, "checkout", log_queries)
    try:
        event = workout_created()
        handle = idempotent(pg_sessions, tables.ProcessedEvent, "one-trip", copy_workout(tables))
        await handle(event)
        await handle(event)
    finally:
        event_module.remove(engine.sync_engine.pool, "checkout", log_queries)
    begins = [query for query in sent if query.startswith("BEGIN")]
    assert len(begins) == 2
    assert all(f"'{event.user_id}'" in q and "app.user_id" in q and "processed_events" in q for q in begins)
    assert not [query for query in sent if query.startswith("INSERT INTO") and "processed_events" in query]
    assert await count(pg_sessions, tables.Workout) == 1  # the redelivery found the claim and ran nothing


async def test_over_rabbitmq_a_handler_failing_twice_writes_once(
    pg_sessions: Sessions, tables: SimpleNamespace, make_rabbit_bus: MakeBus, rabbit: Any,
    amqp_channel: aio_pika.abc.AbstractChannel, wait_for: WaitFor,
) -> None:
    deliveries = 0
    copy = copy_workout(tables)

    async def flaky(session: AsyncSession, envelope: EventEnvelope) -> None:
        nonlocal deliveries
        deliveries += 1
        await copy(session, envelope)
        await session.flush()  # the write happened ...
        if deliveries <= 2:
            raise TimeoutError("... but the handler failed afterwards")

    bus = await make_rabbit_bus()
    queue = rabbit.queue("analytics.workouts")
    await bus.subscribe(queue, ["workout.*"], idempotent(pg_sessions, tables.ProcessedEvent, queue, flaky))
    event = workout_created()
    await bus.publish([event])
    await wait_for(lambda: deliveries == 3)
    await asyncio.sleep(0.3)
    # A duplicate publish (e.g. the relay crashed before marking the row) is harmless too.
    await bus.publish([event])
    await asyncio.sleep(0.3)
    assert deliveries == 3
    assert await count(pg_sessions, tables.Workout) == 1
    declared = await amqp_channel.declare_queue(queue, passive=True)
    assert declared.declaration_result.message_count == 0


async def test_a_consumer_cancelled_while_its_claim_waits_leaves_its_connection_fit_for_the_next_event(
    pg_url: str, pg_sessions: Sessions, tables: SimpleNamespace,
) -> None:
    """A broker shutting down cancels the handlers it was running. One cancelled in its BEGIN (its claim
    waiting on a duplicate's row lock) once left asyncpg holding a transaction that had not begun for it, on a
    connection the pool kept: the next events' transactions on it were sent as SAVEPOINTs, never committed or
    failed ("SAVEPOINT can only be used in transaction blocks") until dead-lettered."""
    engine = create_engine(pg_url, "events_test", pool_size=1)  # one connection: the next events get it
    dsn = pg_url.replace("+asyncpg", "")
    observer = await asyncpg.connect(dsn)  # sees only what was committed
    try:
        handle = idempotent(create_session_factory(engine), tables.ProcessedEvent, "cancelled", copy_workout(tables))
        event = workout_created()
        duplicate = await asyncpg.connect(dsn)
        try:
            claim = duplicate.transaction()
            await claim.start()  # a duplicate delivery's claim, not yet committed
            await duplicate.execute("insert into events_test.processed_events (event_id, consumer, processed_at) "
                                    "values ($1, 'cancelled', now())", event.id)
            waiting = asyncio.create_task(handle(event))
            await poll_until(lambda: observer.fetchval(
                "select count(*) = 1 from pg_stat_activity where datname = current_database() "
                "and wait_event_type = 'Lock' and query like 'BEGIN%processed_events%'"), timeout=10)
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
            await claim.rollback()
        finally:
            await duplicate.close()

        later = [workout_created() for _ in range(3)]
        for envelope in later:
            await handle(envelope)
        committed = await observer.fetchval(
            "select count(*) from events_test.workouts where id = any($1)",
            [uuid.UUID(e.data["workout_id"]) for e in later])
        assert committed == len(later)
    finally:
        await observer.close()
        await engine.dispose()
