"""Core's API process ended by a signal in the middle of its work, then started again.

SIGKILL under load: nothing a client was told was written (2xx) is lost, and each of those writes' events
is still published; a write whose answer was lost is whole or absent, never half-written.
SIGTERM: the request in flight finishes, no new connection is taken, the consumers stop and the outbox is
empty when the process exits; an event that arrives meanwhile waits on the queue for the next process."""

from __future__ import annotations

import asyncio
import signal
import uuid
from datetime import UTC, datetime

import aio_pika
import asyncpg
import httpx
from faults_harness import RABBITMQ_URL, FaultDatabase, ServerProcess, Stack, eventually
from ledger import EventTap, workout_body, workout_traces

from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.testing.rabbitmq import queue_state
from fitjourney_common.testing.tokens import TestSigner

CLIENTS = 8


async def test_sigkill_under_load_loses_no_acknowledged_write_or_its_event(
    rabbitmq: ServerProcess, stack: Stack, db: asyncpg.Connection, signer: TestSigner, exchange: str,
    fault_figures: dict[str, object],
) -> None:
    core = await asyncio.to_thread(stack.start, "core", "api")
    headers = signer.headers()
    answers: dict[uuid.UUID, int | None] = {}
    killed = asyncio.Event()
    indexes = iter(range(100_000))

    async with EventTap(RABBITMQ_URL, exchange, "workout.created") as tap, \
            httpx.AsyncClient(base_url=core.base_url, timeout=30, headers=headers) as client:

        async def writer() -> None:
            while not killed.is_set():
                body = workout_body(next(indexes))
                workout_id = uuid.UUID(str(body["id"]))
                try:
                    answers[workout_id] = (await client.post("/api/v1/workouts", json=body)).status_code
                except httpx.HTTPError:
                    answers[workout_id] = None  # the answer was lost with the process

        writers = asyncio.gather(*(writer() for _ in range(CLIENTS)))
        await eventually(lambda: _acknowledged(answers, 150), 60, "150 writes acknowledged")
        await asyncio.to_thread(core.stop, signal.SIGKILL)
        killed.set()
        await writers

        await asyncio.to_thread(core.start)  # the same port, as a restarted pod behind its Service
        after = [workout_body(i) for i in range(200_000, 200_020)]
        for body in after:
            response = await client.post("/api/v1/workouts", json=body)
            assert response.status_code == 201
            answers[uuid.UUID(str(body["id"]))] = 201

        acknowledged = {i for i, status in answers.items() if status is not None and 200 <= status < 300}
        assert set(answers.values()) <= {201, None}, f"an answer other than 201: {set(answers.values())}"
        traces = await workout_traces(db, list(answers))
        assert all(traces[i].whole for i in acknowledged), "an acknowledged write is missing"
        assert all(t.whole or t.absent for t in traces.values()), "a write was left half-done"
        written = {i for i, t in traces.items() if t.whole}
        await eventually(lambda: _all_in(written, tap.workout_ids), 60, "every written workout's event published")
        assert await db.fetchval("select count(*) from core.outbox where published_at is null and "
                                 "payload->'data'->>'workout_id' = any($1)", [str(i) for i in written]) == 0

    lost_answers = [i for i, status in answers.items() if status is None]
    fault_figures["SIGKILL under load"] = {
        "writes acknowledged (201)": len(acknowledged),
        "answers lost with the process (written whole / absent)": (
            sum(traces[i].whole for i in lost_answers), sum(traces[i].absent for i in lost_answers)),
        "events published for written workouts (distinct / received, duplicates allowed)": (
            len(written & set(tap.workout_ids)), len(tap.workout_ids)),
    }


def _acknowledged(answers: dict[uuid.UUID, int | None], at_least: int) -> bool:
    return sum(status == 201 for status in answers.values()) >= at_least


async def test_sigterm_finishes_the_request_in_flight_and_leaves_nothing_behind(
    rabbitmq: ServerProcess, stack: Stack, db: asyncpg.Connection, fault_database: FaultDatabase,
    signer: TestSigner, tag: str, exchange: str, fault_figures: dict[str, object],
) -> None:
    core = await asyncio.to_thread(stack.start, "core", "api")
    queue = f"{tag}.core.events"
    assert (await queue_state(queue, RABBITMQ_URL) or (0, 0))[0] == 1
    body = workout_body(1)
    workout_id = uuid.UUID(str(body["id"]))
    assert core.server is not None

    async with EventTap(RABBITMQ_URL, exchange, "workout.created") as tap, \
            httpx.AsyncClient(base_url=core.base_url, timeout=60, headers=signer.headers()) as client:
        locker = await asyncpg.connect(fault_database.dsn)
        try:
            # The request is held inside its transaction by a table lock the test owns.
            async with locker.transaction():
                await locker.execute("lock table core.workouts in share row exclusive mode")
                request = asyncio.create_task(client.post("/api/v1/workouts", json=body))
                await eventually(lambda: db.fetchval(
                    "select count(*) from pg_stat_activity where datname = current_database() and "
                    "wait_event_type = 'Lock' and usename = 'fitjourney_core_app'"), 30, "the request in flight")
                core.server.send(signal.SIGTERM)
                # No new connection is taken while the one in flight finishes.
                await eventually(lambda: _refused(core.base_url), 30, "new connections refused")
                assert not request.done()
        finally:
            await locker.close()
        response = await request
        assert response.status_code == 201, response.text
        # uvicorn re-raises the signal once its graceful shutdown is done: the exit status says SIGTERM.
        assert await asyncio.to_thread(core.server.wait_exit, 60) in (0, -signal.SIGTERM)

        # The in-flight write is whole and its event left the outbox before the process exited.
        assert (await workout_traces(db, [workout_id]))[workout_id].whole
        assert await db.fetchval("select count(*) from core.outbox where published_at is null and "
                                 "payload->'data'->>'workout_id' = $1", str(workout_id)) == 0
        await eventually(lambda: _all_in({workout_id}, tap.workout_ids), 30, "the in-flight write's event delivered")

    # The consumers stopped: an event for core waits on its queue instead of going to a dying process...
    assert await queue_state(queue, RABBITMQ_URL) == (0, 0)
    user = uuid.uuid4()
    registered = EventEnvelope(id=uuid.uuid4(), type="user.registered", occurred_at=datetime.now(UTC), user_id=user,
                               data={"user_id": str(user), "email": f"{user.hex[:12]}@example.com",
                                     "display_name": "Ada"})
    connection = await aio_pika.connect(RABBITMQ_URL)
    try:
        channel = await connection.channel()
        target = await channel.get_exchange(exchange)
        await target.publish(aio_pika.Message(registered.to_json(), message_id=str(registered.id),
                                              delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                             routing_key=registered.type)
    finally:
        await connection.close()
    assert await eventually(lambda: queue_state(queue, RABBITMQ_URL), 10, "the queue") == (0, 1)
    # ...and the next process takes it.
    await asyncio.to_thread(core.start)
    await eventually(lambda: db.fetchval("select count(*) = 1 from core.processed_events where event_id = $1",
                                         registered.id), 60, "the waiting event handled after the restart")

    fault_figures["SIGTERM"] = {
        "request in flight": "finished 201, its event published before exit, clean exit",
        "event arriving while stopped": "waited on the queue, handled once by the restarted process",
    }


def _all_in(expected: set[uuid.UUID], received: list[uuid.UUID]) -> bool:
    return expected <= set(received)


async def _refused(base_url: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=2) as fresh:
            await fresh.get("/healthz")
    except httpx.ConnectError:
        return True
    except httpx.RemoteProtocolError:
        # Accepted just before the listener closed, then dropped by the shutdown: not refused yet, ask again.
        return False
    return False
