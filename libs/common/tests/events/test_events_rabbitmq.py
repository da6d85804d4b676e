"""RabbitMQBus against the real broker: what lands on the wire, confirms, retries and dead-letter queues."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
import pytest
from opentelemetry import context, trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from fitjourney_common.events import EventEnvelope, PublishError, new_event
from fitjourney_common.events.rabbitmq import RabbitMQBus
from fitjourney_common.testing.events import workout_data

USER = uuid.uuid4()
WaitFor = Callable[..., Awaitable[None]]
MakeBus = Callable[..., Awaitable[RabbitMQBus]]


def workout_created(user_id: uuid.UUID = USER) -> EventEnvelope:
    return new_event("workout.created", workout_data(user_id=user_id, activity="cycling", duration_min=45,
                                                     started_at="2025-03-01T07:30:00+00:00"))


def user_deleted() -> EventEnvelope:
    return new_event("user.deleted", {"user_id": uuid.uuid4()})


async def get_one(queue: aio_pika.abc.AbstractQueue, within: float = 10.0) -> aio_pika.abc.AbstractIncomingMessage:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (message := await queue.get(fail=False, no_ack=True)) is None:
        if loop.time() > deadline:
            pytest.fail(f"no message on {queue.name} within {within}s")
        await asyncio.sleep(0.02)
    return message


async def message_count(channel: aio_pika.abc.AbstractChannel, queue: str) -> int:
    declared = await channel.declare_queue(queue, passive=True)
    return int(declared.declaration_result.message_count or 0)


async def test_subscriber_receives_the_published_envelope_with_trace_context(
    make_rabbit_bus: MakeBus, rabbit: Any, amqp_channel: aio_pika.abc.AbstractChannel, wait_for: WaitFor,
) -> None:
    bus = await make_rabbit_bus()
    received: list[tuple[EventEnvelope, int]] = []

    async def handle(envelope: EventEnvelope) -> None:
        received.append((envelope, trace.get_current_span().get_span_context().trace_id))

    await bus.subscribe(rabbit.queue("ai.workouts"), ["workout.*"], handle)
    # An operator's view of the same exchange: a plain queue bound to everything.
    tap = await amqp_channel.declare_queue(rabbit.queue("tap"), durable=True)
    await tap.bind(rabbit.exchange, "#")

    trace_id, span_id = 0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331
    parent = NonRecordingSpan(SpanContext(trace_id, span_id, is_remote=False, trace_flags=TraceFlags(1)))
    token = context.attach(trace.set_span_in_context(parent))
    try:
        event = workout_created()  # a request handler creates the event inside its span
    finally:
        context.detach(token)
    await bus.publish([event])

    wire = await get_one(tap)
    assert json.loads(wire.body) == json.loads(event.to_json())
    assert wire.message_id == str(event.id)
    assert wire.type == "workout.created" and wire.routing_key == "workout.created"
    assert wire.content_type == "application/json"
    assert wire.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert wire.app_id == "events-test"
    assert wire.timestamp == event.occurred_at.replace(microsecond=0)  # AMQP timestamps are whole seconds
    assert wire.headers["traceparent"] == f"00-{trace_id:032x}-{span_id:016x}-01"

    await wait_for(lambda: len(received) == 1)
    got, consumer_trace_id = received[0]
    assert (got.id, got.type, got.data, got.user_id, got.occurred_at) == (
        event.id, event.type, event.data, USER, event.occurred_at)
    assert consumer_trace_id == trace_id  # the handler runs inside the producer's trace


async def test_topic_patterns_route_each_event_to_matching_queues(
    make_rabbit_bus: MakeBus, rabbit: Any, wait_for: WaitFor,
) -> None:
    bus = await make_rabbit_bus()
    seen: dict[str, list[str]] = {"workouts": [], "users": [], "all": []}

    def recorder(name: str) -> Callable[[EventEnvelope], Awaitable[None]]:
        async def handle(envelope: EventEnvelope) -> None:
            seen[name].append(envelope.type)
        return handle

    await bus.subscribe(rabbit.queue("workouts"), ["workout.*"], recorder("workouts"))
    await bus.subscribe(rabbit.queue("users"), ["user.deleted", "user.#"], recorder("users"))
    await bus.subscribe(rabbit.queue("all"), ["#"], recorder("all"))
    await bus.publish([workout_created(), user_deleted()])
    await wait_for(lambda: len(seen["all"]) == 2 and seen["workouts"] and seen["users"])
    await asyncio.sleep(0.2)
    assert seen["workouts"] == ["workout.created"]
    assert seen["users"] == ["user.deleted"]  # bound twice, delivered once
    assert sorted(seen["all"]) == ["user.deleted", "workout.created"]


async def test_a_thousand_events_in_one_batch_are_confirmed_and_received_once(
    make_rabbit_bus: MakeBus, rabbit: Any, amqp_channel: aio_pika.abc.AbstractChannel, wait_for: WaitFor,
) -> None:
    publisher, consumer = await make_rabbit_bus(), await make_rabbit_bus()
    received: Counter[uuid.UUID] = Counter()

    async def handle(envelope: EventEnvelope) -> None:
        received[envelope.id] += 1

    queue = rabbit.queue("bulk")
    await consumer.subscribe(queue, ["workout.created"], handle)
    events = [workout_created() for _ in range(1000)]
    await publisher.publish(events)  # returns only once all 1000 are confirmed
    await wait_for(lambda: sum(received.values()) >= 1000, within=20)
    await asyncio.sleep(0.3)
    assert set(received) == {e.id for e in events}
    assert set(received.values()) == {1}
    assert await message_count(amqp_channel, queue) == 0


async def test_failing_handler_is_redelivered_until_it_succeeds(
    make_rabbit_bus: MakeBus, rabbit: Any, amqp_channel: aio_pika.abc.AbstractChannel, wait_for: WaitFor,
) -> None:
    bus = await make_rabbit_bus()
    deliveries: list[uuid.UUID] = []
    processed: list[uuid.UUID] = []

    async def flaky(envelope: EventEnvelope) -> None:
        deliveries.append(envelope.id)
        if len(deliveries) <= 2:
            raise ConnectionError("downstream not ready")
        processed.append(envelope.id)

    queue = rabbit.queue("flaky")
    await bus.subscribe(queue, ["user.*"], flaky, max_attempts=5)
    event = user_deleted()
    await bus.publish([event])
    await wait_for(lambda: len(processed) == 1)
    await asyncio.sleep(0.3)
    assert deliveries == [event.id] * 3
    assert processed == [event.id]
    assert await message_count(amqp_channel, queue) == 0
    assert await bus.dead_letter_count(queue) == 0


async def test_always_failing_handler_parks_the_event_in_the_dead_letter_queue(
    make_rabbit_bus: MakeBus, rabbit: Any, amqp_channel: aio_pika.abc.AbstractChannel, wait_for: WaitFor,
) -> None:
    bus = await make_rabbit_bus()
    attempts: list[int] = []

    async def broken(envelope: EventEnvelope) -> None:
        attempts.append(1)
        raise ValueError("poison")

    queue = rabbit.queue("poison")
    await bus.subscribe(queue, ["user.deleted"], broken, max_attempts=3)
    event = user_deleted()
    await bus.publish([event])

    dlq = await amqp_channel.declare_queue(f"{queue}.dlq", passive=True)
    parked = await get_one(dlq)
    assert EventEnvelope.from_json(parked.body) == event
    assert parked.message_id == str(event.id)
    assert parked.headers["x-first-death-queue"] == queue
    assert len(attempts) == 3
    assert await message_count(amqp_channel, queue) == 0


async def test_a_body_that_is_not_an_envelope_goes_straight_to_the_dead_letter_queue(
    make_rabbit_bus: MakeBus, rabbit: Any, amqp_channel: aio_pika.abc.AbstractChannel,
) -> None:
    bus = await make_rabbit_bus()
    calls: list[EventEnvelope] = []

    async def handle(envelope: EventEnvelope) -> None:
        calls.append(envelope)

    queue = rabbit.queue("strict")
    await bus.subscribe(queue, ["user.*"], handle)
    exchange = await amqp_channel.get_exchange(rabbit.exchange)
    await exchange.publish(aio_pika.Message(b"{not an envelope", message_id="garbage-1"), routing_key="user.deleted")

    parked = await get_one(await amqp_channel.declare_queue(f"{queue}.dlq", passive=True))
    assert parked.body == b"{not an envelope" and parked.message_id == "garbage-1"
    assert parked.headers["x-first-death-reason"] == "rejected"
    assert calls == []
    assert await bus.dead_letter_count(queue) == 0  # we just took it off


async def test_publish_without_a_connection_raises_publish_error(make_rabbit_bus: MakeBus) -> None:
    unreachable = await make_rabbit_bus("amqp://guest:guest@127.0.0.1:1/", start=False)
    with pytest.raises(ConnectionError):
        await unreachable.start()
    events = [user_deleted(), user_deleted()]
    with pytest.raises(PublishError) as caught:
        await unreachable.publish(events)
    assert caught.value.unconfirmed == {e.id for e in events}
    assert await unreachable.ping() is False

    stopped = await make_rabbit_bus()
    assert await stopped.ping() is True
    await stopped.close()
    with pytest.raises(PublishError):
        await stopped.publish(events)
    assert await stopped.ping() is False
