"""InMemoryBus: the embedded-dev broker behaves like the RabbitMQ one (routing, retries, dead letters)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest

from fitjourney_common.events import EventEnvelope, InMemoryBus, PublishError, new_event
from fitjourney_common.events.memory import topic_matches
from fitjourney_common.testing.events import workout_deleted_data

USER = uuid.uuid4()


def deleted(user_id: uuid.UUID = USER) -> EventEnvelope:
    return new_event("user.deleted", {"user_id": user_id})


def workout_deleted() -> EventEnvelope:
    return new_event("workout.deleted", workout_deleted_data(user_id=USER))


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("workout.*", "workout.created", True),
        ("workout.*", "workout.calories.estimated", False),
        ("workout.#", "workout.calories.estimated", True),
        ("workout.#", "workout", True),
        ("#", "anything.at.all", True),
        ("*.deleted", "user.deleted", True),
        ("*.deleted", "user.roles_changed", False),
        ("#.deleted", "a.b.deleted", True),
        ("user.registered", "user.registered", True),
        ("user.registered", "user.registered.x", False),
    ],
)
def test_topic_matching_follows_amqp(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected


async def test_events_reach_every_matching_queue_once(memory_bus: InMemoryBus) -> None:
    seen: dict[str, list[EventEnvelope]] = {"workouts": [], "everything": [], "users": []}

    def recorder(name: str):
        async def handle(envelope: EventEnvelope) -> None:
            seen[name].append(envelope)
        return handle

    await memory_bus.subscribe("workouts", ["workout.*"], recorder("workouts"))
    await memory_bus.subscribe("everything", ["#"], recorder("everything"))
    await memory_bus.subscribe("users", ["user.deleted", "user.*"], recorder("users"))
    user_event, workout_event = deleted(), workout_deleted()
    await memory_bus.publish([user_event, workout_event])
    await memory_bus.drain()
    assert seen["workouts"] == [workout_event]
    assert seen["users"] == [user_event]  # two matching patterns, still one delivery
    assert sorted(e.id for e in seen["everything"]) == sorted([user_event.id, workout_event.id])


async def test_competing_handlers_on_one_queue_share_the_events(memory_bus: InMemoryBus) -> None:
    served: Counter[str] = Counter()
    ids: list[uuid.UUID] = []

    def worker(name: str):
        async def handle(envelope: EventEnvelope) -> None:
            served[name] += 1
            ids.append(envelope.id)
        return handle

    await memory_bus.subscribe("ai.calories", ["workout.*"], worker("a"))
    await memory_bus.subscribe("ai.calories", ["workout.*"], worker("b"))
    events = [workout_deleted() for _ in range(10)]
    await memory_bus.publish(events)
    await memory_bus.drain()
    assert sorted(ids) == sorted(e.id for e in events)
    assert served["a"] == 5 and served["b"] == 5


async def test_failing_handler_is_retried_then_succeeds(memory_bus: InMemoryBus) -> None:
    calls = 0

    async def flaky(envelope: EventEnvelope) -> None:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise RuntimeError("database hiccup")

    await memory_bus.subscribe("flaky", ["user.*"], flaky, max_attempts=5)
    await memory_bus.publish([deleted()])
    await memory_bus.drain()
    assert calls == 3
    assert memory_bus.dead_letters("flaky") == []


async def test_poison_event_is_parked_after_max_attempts(memory_bus: InMemoryBus) -> None:
    calls = 0

    async def broken(envelope: EventEnvelope) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("cannot handle this")

    event = deleted()
    await memory_bus.subscribe("broken", ["#"], broken, max_attempts=3)
    await memory_bus.publish([event])
    await memory_bus.drain()
    assert calls == 3
    [letter] = memory_bus.dead_letters("broken")
    assert letter.envelope == event and letter.attempts == 3 and "cannot handle this" in letter.error
    assert await memory_bus.dead_letter_count("broken") == 1


async def test_publish_does_not_wait_for_handlers(memory_bus: InMemoryBus) -> None:
    release = asyncio.Event()
    done: list[uuid.UUID] = []

    async def slow(envelope: EventEnvelope) -> None:
        await release.wait()
        done.append(envelope.id)

    await memory_bus.subscribe("slow", ["#"], slow)
    event = deleted()
    await asyncio.wait_for(memory_bus.publish([event]), timeout=1)
    assert done == []
    release.set()
    await memory_bus.drain()
    assert done == [event.id]


async def test_instances_for_the_same_url_share_one_broker(memory_bus_url: str) -> None:
    # Embedded dev: auth and core each create their own bus from BROKER_URL=memory:// in one process.
    auth_bus, core_bus = InMemoryBus(memory_bus_url), InMemoryBus(memory_bus_url)
    other_bus = InMemoryBus(memory_bus_url + "-other")
    received: list[tuple[str, uuid.UUID]] = []

    async def core_handler(envelope: EventEnvelope) -> None:
        received.append(("core", envelope.id))

    async def other_handler(envelope: EventEnvelope) -> None:
        received.append(("other", envelope.id))

    for bus in (auth_bus, core_bus, other_bus):
        await bus.start()
    try:
        await core_bus.subscribe("core.users", ["user.*"], core_handler)
        await other_bus.subscribe("core.users", ["user.*"], other_handler)
        event = deleted()
        await auth_bus.publish([event])
        await auth_bus.drain()
        await other_bus.drain()
        assert received == [("core", event.id)]
    finally:
        for bus in (auth_bus, core_bus, other_bus):
            await bus.close()
        InMemoryBus.reset_shared_state(memory_bus_url + "-other")


async def test_events_wait_in_the_queue_until_a_consumer_comes_back(memory_bus_url: str) -> None:
    publisher, consumer = InMemoryBus(memory_bus_url), InMemoryBus(memory_bus_url)
    await publisher.start()
    await consumer.start()
    received: list[uuid.UUID] = []

    async def handle(envelope: EventEnvelope) -> None:
        received.append(envelope.id)

    await consumer.subscribe("analytics.users", ["user.*"], handle)
    await consumer.close()  # e.g. the analytics worker restarts
    event = deleted()
    await publisher.publish([event])
    await publisher.drain()
    assert received == []
    await consumer.start()
    await consumer.subscribe("analytics.users", ["user.*"], handle)
    await consumer.drain()
    assert received == [event.id]
    await consumer.close()
    await publisher.close()
    InMemoryBus.reset_shared_state(memory_bus_url)


async def test_a_closed_bus_refuses_to_publish(memory_bus_url: str) -> None:
    bus = InMemoryBus(memory_bus_url)
    event = deleted()
    with pytest.raises(PublishError) as caught:
        await bus.publish([event])
    assert caught.value.unconfirmed == {event.id}
    assert await bus.ping() is False


async def test_a_burst_runs_at_most_a_prefetch_of_handlers_at_once(memory_bus: InMemoryBus) -> None:
    """Like RabbitMQ's prefetch: 100 events at once hold 32 handlers (and their connections), not 100."""
    from fitjourney_common.events.memory import PREFETCH

    running = handled = most = 0
    release = asyncio.Event()

    async def slow(_envelope: EventEnvelope) -> None:
        nonlocal running, handled, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1
        handled += 1

    await memory_bus.subscribe("burst", ["user.deleted"], slow)
    await memory_bus.publish([deleted(uuid.uuid4()) for _ in range(100)])
    for _ in range(10_000):  # let every delivery task start (no clock involved)
        if running == PREFETCH:
            break
        await asyncio.sleep(0)
    for _ in range(100):
        await asyncio.sleep(0)
    assert running == most == PREFETCH
    release.set()
    await memory_bus.drain()
    assert handled == 100 and most == PREFETCH
    assert memory_bus.dead_letters("burst") == []
