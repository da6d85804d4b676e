"""A poison message through ai's real worker process: retried a bounded number of times, then parked on the
dead-letter queue, while the good events published behind it are all handled."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import aio_pika
import asyncpg
import httpx
from faults_harness import RABBITMQ_URL, ServerProcess, Stack, eventually
from prometheus_client.parser import text_string_to_metric_families

from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.testing.events import workout_data
from fitjourney_common.testing.rabbitmq import queue_state

GOOD_EVENTS = 50
MAX_ATTEMPTS = 5  # Subscription's default, which ai's events queue keeps


def consumed(metrics_text: str, outcome: str) -> float:
    return sum(sample.value for family in text_string_to_metric_families(metrics_text)
               for sample in family.samples
               if sample.name == "events_consumed_total" and sample.labels.get("type") == "workout.created"
               and sample.labels.get("outcome") == outcome)


async def test_poison_event_is_dead_lettered_after_bounded_retries_without_blocking_the_queue(
    rabbitmq: ServerProcess, stack: Stack, db: asyncpg.Connection, tag: str, exchange: str,
    fault_figures: dict[str, object],
) -> None:
    worker = await asyncio.to_thread(stack.start, "ai", "worker")
    queue = f"{tag}.ai.events"
    await eventually(lambda: _has_consumer(queue), 60, f"a consumer on {queue}")

    user = uuid.uuid4()
    # A well-formed envelope whose data breaks the contract: every attempt of the handler fails.
    poison = EventEnvelope(id=uuid.uuid4(), type="workout.created", occurred_at=datetime.now(UTC), user_id=user,
                           data={"workout_id": "not-a-uuid", "user_id": str(user)})
    good = [EventEnvelope(id=uuid.uuid4(), type="workout.created", occurred_at=datetime.now(UTC), user_id=user,
                          data=workout_data(user_id=user, duration_min=30 + i)) for i in range(GOOD_EVENTS)]
    connection = await aio_pika.connect(RABBITMQ_URL)
    try:
        channel = await connection.channel()
        target = await channel.get_exchange(exchange)
        for envelope in [poison, *good]:
            await target.publish(aio_pika.Message(envelope.to_json(), message_id=str(envelope.id),
                                                  delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                                 routing_key=envelope.type)

        # The good events behind the poison are all handled (their estimates written)...
        await eventually(lambda: db.fetchval(
            "select count(*) = $2 from ai.calorie_estimates where user_id = $1", user, GOOD_EVENTS),
            60, "every good event handled")
        # ...and the poison ends on the dead-letter queue, untouched, after MAX_ATTEMPTS attempts.
        dlq = await channel.declare_queue(f"{queue}.dlq", passive=True)
        parked = await eventually(lambda: dlq.get(fail=False), 60, "the poison on the dead-letter queue")
        await parked.ack()
        assert EventEnvelope.from_json(parked.body).id == poison.id
        assert parked.headers["x-first-death-queue"] == queue
        assert parked.headers["x-first-death-reason"] == "rejected"
        assert await dlq.get(fail=False) is None, "a good event was dead-lettered"
        metrics = (await asyncio.to_thread(httpx.get, f"{worker.base_url}/metrics", timeout=10)).text
        assert consumed(metrics, "retry") >= MAX_ATTEMPTS - 1  # a good event may have been retried too
        assert consumed(metrics, "dead_lettered") == 1
        assert f"event {poison.id} (workout.created) dead-lettered on {queue} after {MAX_ATTEMPTS} attempts" \
            in worker.log_tail(200_000)
        assert consumed(metrics, "ok") == GOOD_EVENTS
        assert await queue_state(queue, RABBITMQ_URL) == (1, 0), "the queue is not empty"
        assert await db.fetchval("select count(*) from ai.processed_events where event_id = $1", poison.id) == 0
    finally:
        await connection.close()

    fault_figures["poison message"] = {
        "attempts before the dead-letter queue": MAX_ATTEMPTS, "good events behind it handled": GOOD_EVENTS,
        "dead-lettered": 1,
    }


async def _has_consumer(queue: str) -> bool:
    state = await queue_state(queue, RABBITMQ_URL)
    return state is not None and state[0] > 0
