"""Transactional outbox and relay: an event is published if and only if its transaction committed."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitjourney_common.events import (
    EventEnvelope,
    EventWorker,
    InMemoryBus,
    OutboxRelay,
    Subscription,
    add_event,
    new_event,
    run_until_signal,
)
from fitjourney_common.events.outbox import outbox_row
from fitjourney_common.events.rabbitmq import RabbitMQBus
from fitjourney_common.testing.events import workout_data

WaitFor = Callable[..., Awaitable[None]]
MakeBus = Callable[..., Awaitable[RabbitMQBus]]
Sessions = async_sessionmaker[AsyncSession]
UNREACHABLE = "amqp://guest:guest@127.0.0.1:1/"


async def ids_published(bus: InMemoryBus, queue: str) -> list[uuid.UUID]:
    """The ids of every event the bus delivers from now on, in delivery order, through a queue of that name."""
    ids: list[uuid.UUID] = []

    async def record(envelope: EventEnvelope) -> None:
        ids.append(envelope.id)

    await bus.subscribe(queue, ["#"], record)
    return ids


async def log_workout(sessions: Sessions, tables: SimpleNamespace, user_id: uuid.UUID) -> EventEnvelope:
    """What core's workout service does: the change and its event in one transaction."""
    workout_id = uuid.uuid4()
    started_at = datetime(2025, 3, 1, 7, 30, tzinfo=UTC)
    async with sessions() as session, session.begin():
        session.add(tables.Workout(id=workout_id, user_id=user_id, activity="running", started_at=started_at))
        envelope = new_event("workout.created", workout_data(workout_id=workout_id, user_id=user_id,
                                                             started_at=started_at))
        add_event(session, tables.Outbox, envelope)
    return envelope


async def outbox_rows(sessions: Sessions, tables: SimpleNamespace) -> list[Any]:
    async with sessions() as session:
        return list((await session.scalars(select(tables.Outbox))).all())


async def test_events_wait_while_the_broker_is_down_and_are_published_once_it_is_back(
    pg_sessions: Sessions, tables: SimpleNamespace, make_rabbit_bus: MakeBus, rabbit: Any, wait_for: WaitFor,
) -> None:
    dead_bus = await make_rabbit_bus(UNREACHABLE, start=False)
    with pytest.raises(ConnectionError):
        await dead_bus.start()
    down_relay = OutboxRelay(pg_sessions, tables.Outbox, dead_bus, service="core")

    event = await log_workout(pg_sessions, tables, uuid.uuid4())
    assert await down_relay.run_once() == 0
    [row] = await outbox_rows(pg_sessions, tables)
    assert row.id == event.id and row.published_at is None and row.attempts == 1
    assert row.payload == event.model_dump(mode="json")
    assert await down_relay.pending_count() == 1

    received: Counter[uuid.UUID] = Counter()

    async def on_workout(envelope: EventEnvelope) -> None:
        received[envelope.id] += 1

    consumer = await make_rabbit_bus()
    await consumer.subscribe(rabbit.queue("ai.workouts"), ["workout.*"], on_workout)
    relay = OutboxRelay(pg_sessions, tables.Outbox, await make_rabbit_bus(), service="core")
    assert await relay.run_once() == 1
    await wait_for(lambda: received[event.id] == 1)
    [row] = await outbox_rows(pg_sessions, tables)
    assert row.published_at is not None
    assert await relay.pending_count() == 0

    assert await relay.run_once() == 0
    await asyncio.sleep(0.3)
    assert received == Counter({event.id: 1})


async def test_a_stopped_bus_publishes_nothing_and_keeps_the_rows(
    pg_sessions: Sessions, tables: SimpleNamespace, make_rabbit_bus: MakeBus,
) -> None:
    bus = await make_rabbit_bus()
    await bus.close()
    relay = OutboxRelay(pg_sessions, tables.Outbox, bus)
    for _ in range(3):
        await log_workout(pg_sessions, tables, uuid.uuid4())
    assert await relay.run_once() == 0
    assert await relay.pending_count() == 3


async def test_a_hand_edited_row_is_left_behind_and_the_rest_published(
    pg_sessions: Sessions, tables: SimpleNamespace, memory_bus: InMemoryBus,
) -> None:
    received = await ids_published(memory_bus, "all")
    broken, good = (new_event("user.deleted", {"user_id": uuid.uuid4()}) for _ in range(2))
    async with pg_sessions() as session, session.begin():
        add_event(session, tables.Outbox, broken)
        add_event(session, tables.Outbox, good)
    async with pg_sessions() as session, session.begin():
        row = await session.get(tables.Outbox, broken.id)
        assert row is not None
        row.payload = {"not": "an envelope"}
    relay = OutboxRelay(pg_sessions, tables.Outbox, memory_bus)
    assert await relay.run_once() == 1
    await memory_bus.drain()
    assert received == [good.id]
    rows = {row.id: row for row in await outbox_rows(pg_sessions, tables)}
    assert rows[good.id].published_at is not None and rows[good.id].attempts == 0
    assert rows[broken.id].published_at is None and rows[broken.id].attempts == 1


async def test_a_relay_that_fails_midway_leaves_no_transaction_open_and_no_row_locked(
    pg_sessions: Sessions, pg_url: str, tables: SimpleNamespace, memory_bus: InMemoryBus,
) -> None:
    class Broken(InMemoryBus):
        async def publish(self, envelopes: Any) -> None:
            raise RuntimeError("the bus broke unexpectedly")

    event = await log_workout(pg_sessions, tables, uuid.uuid4())
    with pytest.raises(RuntimeError):
        await OutboxRelay(pg_sessions, tables.Outbox, Broken()).run_once()
    admin = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%'") == 0
    finally:
        await admin.close()
    received = await ids_published(memory_bus, "all")
    assert await OutboxRelay(pg_sessions, tables.Outbox, memory_bus).run_once() == 1
    await memory_bus.drain()
    assert received == [event.id]


async def test_a_rolled_back_transaction_leaves_no_event(pg_sessions: Sessions, tables: SimpleNamespace) -> None:
    with pytest.raises(RuntimeError):
        async with pg_sessions() as session, session.begin():
            session.add(tables.Workout(id=uuid.uuid4(), user_id=uuid.uuid4(), activity="yoga",
                                       started_at=datetime.now(UTC)))
            add_event(session, tables.Outbox, new_event("user.deleted", {"user_id": uuid.uuid4()}))
            await session.flush()
            raise RuntimeError("validation failed after the insert")
    assert await outbox_rows(pg_sessions, tables) == []
    async with pg_sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.Workout)) == 0


async def test_relay_publishes_in_batches_in_occurrence_order(
    pg_sessions: Sessions, tables: SimpleNamespace, memory_bus: InMemoryBus,
) -> None:
    order = await ids_published(memory_bus, "order")
    base = datetime(2025, 1, 1, tzinfo=UTC)
    events = [new_event("user.deleted", {"user_id": uuid.uuid4()}, occurred_at=base + timedelta(seconds=i))
              for i in range(7)]
    async with pg_sessions() as session, session.begin():
        for event in reversed(events):
            add_event(session, tables.Outbox, event)
    relay = OutboxRelay(pg_sessions, tables.Outbox, memory_bus, batch_size=3, service="batch-test")
    assert [await relay.run_once() for _ in range(4)] == [3, 3, 1, 0]
    await memory_bus.drain()
    assert order == [e.id for e in events]
    assert relay.published_total == 7
    # What /metrics shows for it.
    assert REGISTRY.get_sample_value("events_published_total", {"service": "batch-test", "type": "user.deleted"}) == 7
    assert await relay.pending_count() == 0
    assert REGISTRY.get_sample_value("outbox_pending", {"service": "batch-test"}) == 0
    assert await relay.purge_published(timedelta(hours=1)) == 0  # recent ones are kept a while
    assert await relay.purge_published(timedelta(0)) == 7
    assert await outbox_rows(pg_sessions, tables) == []


async def deliveries_counted(bus: InMemoryBus) -> Counter[uuid.UUID]:
    """How many times each event reached a subscriber of every type on `bus`, filled in as they arrive."""
    received: Counter[uuid.UUID] = Counter()

    async def count(envelope: EventEnvelope) -> None:
        received[envelope.id] += 1

    await bus.subscribe("count", ["#"], count)
    return received


async def test_two_relays_never_publish_the_same_row(
    pg_sessions: Sessions, tables: SimpleNamespace, memory_bus: InMemoryBus,
) -> None:
    received = await deliveries_counted(memory_bus)
    async with pg_sessions() as session, session.begin():
        for _ in range(200):
            add_event(session, tables.Outbox, new_event("user.deleted", {"user_id": uuid.uuid4()}))
    relays = [OutboxRelay(pg_sessions, tables.Outbox, memory_bus, batch_size=20) for _ in range(3)]

    async def drain(relay: OutboxRelay) -> None:
        while await relay.run_once() > 0:
            continue

    await asyncio.gather(*(drain(relay) for relay in relays))
    await memory_bus.drain()
    assert sum(relay.published_total for relay in relays) == 200
    assert len(received) == 200 and set(received.values()) == {1}


async def test_run_forever_survives_a_dead_broker_and_stops_on_request(
    pg_sessions: Sessions, tables: SimpleNamespace, make_rabbit_bus: MakeBus,
) -> None:
    relay = OutboxRelay(pg_sessions, tables.Outbox, await make_rabbit_bus(UNREACHABLE, start=False),
                        poll_seconds=0.01, max_backoff=0.05)
    await log_workout(pg_sessions, tables, uuid.uuid4())
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run_forever(stop))
    await asyncio.sleep(0.3)
    assert not task.done()
    assert relay.consecutive_failures >= 2
    stop.set()
    await asyncio.wait_for(task, 2)
    assert await relay.pending_count() == 1


async def test_embedded_worker_delivers_right_after_commit_on_sqlite(
    sqlite_sessions: Sessions, tables: SimpleNamespace, memory_bus_url: str, wait_for: WaitFor,
) -> None:
    # Embedded dev: SQLite, in-memory bus, a slow poll; the commit itself wakes the relay.
    bus = InMemoryBus(memory_bus_url)
    relay = OutboxRelay(sqlite_sessions, tables.Outbox, bus, poll_seconds=30)
    received: list[EventEnvelope] = []

    async def on_workout(envelope: EventEnvelope) -> None:
        received.append(envelope)

    worker = EventWorker(bus, relay, [Subscription("ai.workouts", ["workout.created"], on_workout)])
    async with worker:
        assert worker.connected
        await asyncio.sleep(0.05)  # the relay is now asleep for poll_seconds
        event = await log_workout(sqlite_sessions, tables, uuid.uuid4())
        await wait_for(lambda: len(received) == 1, within=3)
    assert received[0].id == event.id and received[0].data == event.data
    assert await relay.pending_count() == 0
    InMemoryBus.reset_shared_state(memory_bus_url)


async def write_as_another_process(sessions: Sessions, tables: SimpleNamespace) -> EventEnvelope:
    """An outbox row committed without this process's wake-up (as core's API writes it, its relay being in
    the worker process)."""
    envelope = new_event("workout.created", workout_data(workout_id=uuid.uuid4(), user_id=uuid.uuid4(),
                                                         started_at=datetime(2025, 3, 1, 7, 30, tzinfo=UTC)))
    async with sessions() as session, session.begin():
        session.add(tables.Outbox(**outbox_row(envelope)))
    return envelope


async def test_a_relay_in_another_process_publishes_on_the_commit_not_at_its_next_poll(
    pg_sessions: Sessions, pg_url: str, tables: SimpleNamespace, memory_bus: InMemoryBus, wait_for: WaitFor,
) -> None:
    received: list[uuid.UUID] = []

    async def on_workout(envelope: EventEnvelope) -> None:
        received.append(envelope.id)

    await memory_bus.subscribe("ai.workouts", ["workout.created"], on_workout)
    relay = OutboxRelay(pg_sessions, tables.Outbox, memory_bus, poll_seconds=30)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run_forever(stop))
    try:
        await wait_for(lambda: relay.listening)
        first = await write_as_another_process(pg_sessions, tables)
        await wait_for(lambda: received == [first.id], within=5)

        # The server ends the LISTEN connection: the relay opens another and catches up on what committed.
        admin = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            assert await admin.fetchval(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                "where datname = current_database() and query like 'LISTEN%'") == 1
        finally:
            await admin.close()
        await wait_for(lambda: not relay.listening)
        second = await write_as_another_process(pg_sessions, tables)
        await wait_for(lambda: relay.listening and received == [first.id, second.id], within=5)
        third = await write_as_another_process(pg_sessions, tables)
        await wait_for(lambda: received == [first.id, second.id, third.id], within=5)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    assert await relay.pending_count() == 0


async def test_worker_starts_while_the_broker_is_down(
    pg_sessions: Sessions, tables: SimpleNamespace, make_rabbit_bus: MakeBus,
) -> None:
    bus = await make_rabbit_bus(UNREACHABLE, start=False)
    relay = OutboxRelay(pg_sessions, tables.Outbox, bus, poll_seconds=0.01, max_backoff=0.05)

    async def ignore(envelope: EventEnvelope) -> None:
        pass

    worker = EventWorker(bus, relay, [Subscription("never", ["#"], ignore)])
    await asyncio.wait_for(worker.start(), 5)  # the service keeps serving; events wait in the outbox
    assert not worker.connected
    await asyncio.sleep(0.1)
    await asyncio.wait_for(worker.stop(), 5)


async def test_run_until_signal_stops_the_worker_on_sigterm(memory_bus_url: str, wait_for: WaitFor) -> None:
    bus = InMemoryBus(memory_bus_url)
    worker = EventWorker(bus, None, [])
    task = asyncio.create_task(run_until_signal(worker))
    await wait_for(lambda: worker.connected, within=2)  # signal handlers are installed before start
    assert await bus.ping()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, 2)
    assert not await bus.ping()
    InMemoryBus.reset_shared_state(memory_bus_url)


async def relay_backends(pg_url: str) -> list[tuple[str, str]]:
    """(state, query) of every other connection to the test database, as an operator sees them."""
    admin = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await admin.fetch("SELECT state, query FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
    finally:
        await admin.close()
    return [(row["state"], row["query"]) for row in rows]


async def test_a_relay_on_its_own_connection_puts_each_event_on_the_wire_once_and_holds_no_lock_between_batches(
    pg_sessions: Sessions, pg_url: str, tables: SimpleNamespace, make_rabbit_bus: MakeBus, rabbit: Any,
    amqp_channel: Any,
) -> None:
    bus = await make_rabbit_bus()
    tap = await amqp_channel.declare_queue(rabbit.queue("tap"), durable=True, arguments={"x-queue-type": "quorum"})
    await tap.bind(rabbit.exchange, "#")
    relay = OutboxRelay(pg_sessions, tables.Outbox, bus)
    other = OutboxRelay(pg_sessions, tables.Outbox, bus)
    async with relay.own_connection():
        first = await log_workout(pg_sessions, tables, uuid.uuid4())
        assert await relay.run_once() == 1
        # It published, so it sent the next batch's BEGIN with its COMMIT: idle in that transaction, which locks
        # nothing, so another relay publishes the next event at once.
        assert ("idle in transaction", "UPDATE") in [(state, query.split()[0]) for state, query
                                                      in await relay_backends(pg_url)]
        second = await log_workout(pg_sessions, tables, uuid.uuid4())
        assert await other.run_once() == 1
        assert await relay.run_once() == 0  # nothing left; that batch ends without a BEGIN ahead
        assert all(state != "idle in transaction" for state, _ in await relay_backends(pg_url))
        third = await log_workout(pg_sessions, tables, uuid.uuid4())
        assert await relay.run_once() == 1
    assert all(state != "idle in transaction" for state, _ in await relay_backends(pg_url))
    wire = [await tap.get(no_ack=True) for _ in range(3)]
    assert [m.message_id for m in wire] == [str(e.id) for e in (first, second, third)]
    assert await tap.get(fail=False) is None
    assert all(row.published_at is not None and row.attempts == 0 for row in await outbox_rows(pg_sessions, tables))


class GatedBus(InMemoryBus):
    """Confirms a publish only once the test opens the gate; `publishing` is set while it waits."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.publishing, self.gate = asyncio.Event(), asyncio.Event()

    async def publish(self, envelopes: Any) -> None:
        self.publishing.set()
        await self.gate.wait()
        await super().publish(envelopes)


async def test_a_relay_on_its_own_connection_marks_a_row_only_after_the_confirm_and_keeps_it_locked_till_then(
    pg_sessions: Sessions, tables: SimpleNamespace, memory_bus_url: str, memory_bus: InMemoryBus,
) -> None:
    received = await ids_published(memory_bus, "all")
    gated = GatedBus(memory_bus_url)
    await gated.start()
    relay = OutboxRelay(pg_sessions, tables.Outbox, gated)
    other = OutboxRelay(pg_sessions, tables.Outbox, memory_bus)
    events = []
    async with relay.own_connection():
        for _ in range(2):  # the first batch sends its own BEGIN, the second runs in the one sent ahead
            events.append(await log_workout(pg_sessions, tables, uuid.uuid4()))
            batch = asyncio.create_task(relay.run_once())
            await gated.publishing.wait()
            gated.publishing.clear()
            # On its way to the broker, not confirmed: not marked, and no other relay can take it meanwhile.
            assert {row.id: row.published_at for row in await outbox_rows(pg_sessions, tables)}[events[-1].id] is None
            assert await other.run_once() == 0
            gated.gate.set()
            assert await batch == 1
            gated.gate.clear()
            assert all(row.published_at is not None for row in await outbox_rows(pg_sessions, tables))
    await gated.drain()
    await gated.close()
    await memory_bus.drain()
    assert received == [e.id for e in events]


async def test_a_relay_on_its_own_connection_recovers_from_a_failed_batch_and_from_losing_the_connection(
    pg_sessions: Sessions, pg_url: str, tables: SimpleNamespace, memory_bus: InMemoryBus,
) -> None:
    received = await ids_published(memory_bus, "all")
    failing = True

    class Flaky(InMemoryBus):
        async def publish(self, envelopes: Any) -> None:
            if failing:
                raise RuntimeError("the bus broke unexpectedly")
            await super().publish(envelopes)

    flaky = Flaky(memory_bus.url)
    await flaky.start()
    relay = OutboxRelay(pg_sessions, tables.Outbox, flaky)
    async with relay.own_connection():
        first = await log_workout(pg_sessions, tables, uuid.uuid4())
        with pytest.raises(RuntimeError):
            await relay.run_once()
        # Rolled back and given back: no transaction open, the row unmarked and free for any relay.
        assert all(state != "idle in transaction" for state, _ in await relay_backends(pg_url))
        failing = False
        assert await relay.run_once() == 1
        # The server ends the relay's connection while it waits in the BEGIN it sent ahead (an idle timeout, a
        # restart): the next batch takes a fresh connection and publishes, no failure counted.
        admin = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            assert await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'idle in transaction'") == 1
        finally:
            await admin.close()
        second = await log_workout(pg_sessions, tables, uuid.uuid4())
        assert await relay.run_once() == 1
        assert relay.consecutive_failures == 0
    await flaky.drain()
    await flaky.close()
    await memory_bus.drain()
    assert received == [first.id, second.id]
    assert [row.published_at is not None for row in await outbox_rows(pg_sessions, tables)] == [True, True]


async def test_two_relays_on_their_own_connections_never_publish_the_same_row(
    pg_sessions: Sessions, tables: SimpleNamespace, memory_bus: InMemoryBus,
) -> None:
    received = await deliveries_counted(memory_bus)
    relays = [OutboxRelay(pg_sessions, tables.Outbox, memory_bus, batch_size=3) for _ in range(2)]

    async def relay_while_writing(relay: OutboxRelay) -> None:
        async with relay.own_connection():
            for _ in range(40):  # a few events at a time, as both relays run
                async with pg_sessions() as session, session.begin():
                    for _ in range(2):
                        add_event(session, tables.Outbox, new_event("user.deleted", {"user_id": uuid.uuid4()}))
                while await relay.run_once() > 0:
                    continue

    await asyncio.gather(*(relay_while_writing(relay) for relay in relays))
    await memory_bus.drain()
    assert sum(relay.published_total for relay in relays) == 160
    assert len(received) == 160 and set(received.values()) == {1}
    assert await relays[0].pending_count() == 0
