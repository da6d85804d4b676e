"""In-process event bus for embedded dev and tests: RabbitMQ's topic semantics without a broker."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from fitjourney_common.events._telemetry import consumer_span, count_consumed, current_trace_headers
from fitjourney_common.events.bus import EventBus, Handler, PublishError, retry_delay
from fitjourney_common.events.envelope import EventEnvelope

log = logging.getLogger(__name__)

# Deliveries one queue runs at once, as RabbitMQBus's default prefetch allows: a burst of events (a
# bulk import, the demo seeder) queues up instead of opening a handler, and a Redis or database
# connection, per event at once.
PREFETCH = 32


@lru_cache(maxsize=1024)
def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is exactly one dot-separated word, `#` is zero or more words."""
    words, keys = pattern.split("."), routing_key.split(".")

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(words):
            return j == len(keys)
        if words[i] == "#":
            return match(i + 1, j) or (j < len(keys) and match(i, j + 1))
        if j == len(keys):
            return False
        return words[i] in ("*", keys[j]) and match(i + 1, j + 1)

    return match(0, 0)


@dataclass(frozen=True)
class DeadLetter:
    """An event parked after `attempts` failed deliveries; `error` is the last handler error."""

    queue: str
    envelope: EventEnvelope
    attempts: int
    error: str


# What travels between publisher and handler: the serialised body, as on the wire, plus trace headers.
_Message = tuple[bytes, dict[str, str]]


@dataclass
class _Queue:
    name: str
    max_attempts: int
    patterns: set[str] = field(default_factory=set)
    handlers: list[tuple[InMemoryBus, Handler]] = field(default_factory=list)
    backlog: deque[_Message] = field(default_factory=deque)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    turn: int = 0
    in_flight: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(PREFETCH))

    def matches(self, routing_key: str) -> bool:
        return any(topic_matches(pattern, routing_key) for pattern in self.patterns)

    def next_handler(self) -> tuple[InMemoryBus, Handler] | None:
        # Competing consumers on one queue take turns, like RabbitMQ's round-robin dispatch.
        if not self.handlers:
            return None
        self.turn = (self.turn + 1) % len(self.handlers)
        return self.handlers[self.turn]


@dataclass
class _Broker:
    """State shared by every InMemoryBus of one URL: the embedded services see each other's events."""

    queues: dict[str, _Queue] = field(default_factory=dict)
    deliveries: set[asyncio.Task[None]] = field(default_factory=set)
    open_buses: int = 0


_BROKERS: dict[str, _Broker] = {}


class InMemoryBus(EventBus):
    """Queues outlive their subscribers (events wait in a backlog until someone subscribes again),
    deliveries run as tasks so `publish` never waits for handlers, and failures are retried with a
    short backoff and then parked in the queue's `dead_letters(queue)`."""

    def __init__(
        self,
        url: str = "memory://",
        *,
        service_name: str = "fitjourney",
        retry_base: float = 0.05,
        retry_cap: float = 1.0,
    ) -> None:
        self.url = url
        self.service_name = service_name
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self._broker = _BROKERS.setdefault(url, _Broker())
        self._started = False
        self._closed = False

    @classmethod
    def reset_shared_state(cls, url: str | None = None) -> None:
        """Forget the queues of `url` (all URLs when None); for test isolation."""
        if url is None:
            _BROKERS.clear()
        else:
            _BROKERS.pop(url, None)

    async def start(self) -> None:
        if not self._started:
            self._started, self._closed = True, False
            self._broker.open_buses += 1

    async def stop_consuming(self) -> None:
        for queue in self._broker.queues.values():
            queue.handlers = [(bus, handler) for bus, handler in queue.handlers if bus is not self]
        # Deliveries of every bus of the process share one set: wait for them all, like a broker's ack.
        await self.drain(5.0)

    async def close(self) -> None:
        if not self._started or self._closed:
            return
        self._closed = True
        self._started = False
        for queue in self._broker.queues.values():
            queue.handlers = [(bus, handler) for bus, handler in queue.handlers if bus is not self]
        self._broker.open_buses -= 1
        if self._broker.open_buses == 0:
            # The last bus of the process is going away: give running handlers a moment, then stop them.
            await self.drain(5.0)
            for task in list(self._broker.deliveries):
                task.cancel()

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        if not self._started:
            raise PublishError("in-memory bus is not started", unconfirmed=[e.id for e in envelopes])
        for envelope in envelopes:
            message = (envelope.to_json(), dict(envelope.trace_headers or current_trace_headers()))
            for queue in self._broker.queues.values():
                if queue.matches(envelope.type):
                    self._dispatch(queue, message)

    async def subscribe(
        self,
        queue: str,
        patterns: Sequence[str],
        handler: Handler,
        *,
        max_attempts: int = 5,
        prefetch: int | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        state = self._broker.queues.get(queue)
        if state is None:
            state = self._broker.queues[queue] = _Queue(queue, max_attempts)
        state.max_attempts = max_attempts
        state.patterns.update(patterns)
        state.handlers.append((self, handler))
        while state.backlog:
            self._dispatch(state, state.backlog.popleft())

    async def ping(self) -> bool:
        return self._started

    async def dead_letter_count(self, queue: str) -> int:
        return len(self.dead_letters(queue))

    def dead_letters(self, queue: str) -> list[DeadLetter]:
        state = self._broker.queues.get(queue)
        return list(state.dead_letters) if state else []

    async def drain(self, seconds: float = 5.0) -> None:
        """Wait until no delivery is running (handlers may publish more); for tests and shutdown."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while self._broker.deliveries:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await asyncio.wait(set(self._broker.deliveries), timeout=remaining)

    def _dispatch(self, queue: _Queue, message: _Message) -> None:
        if not queue.handlers:
            queue.backlog.append(message)
            return
        task = asyncio.get_running_loop().create_task(self._deliver(queue, message))
        # Keep a reference: the loop holds tasks only weakly.
        self._broker.deliveries.add(task)
        task.add_done_callback(self._broker.deliveries.discard)

    async def _deliver(self, queue: _Queue, message: _Message) -> None:
        body, headers = message
        attempt = 0
        while True:
            consumer = queue.next_handler()
            if consumer is None:
                queue.backlog.append(message)
                return
            owner, handler = consumer
            attempt += 1
            # A fresh copy per delivery, parsed from the bytes, so handlers behave as they would on RabbitMQ.
            envelope = EventEnvelope.from_json(body, trace_headers=headers)
            try:
                async with queue.in_flight:
                    with consumer_span(owner.service_name, queue.name, envelope, headers):
                        await handler(envelope)
                count_consumed(owner.service_name, envelope.type, "ok")
                return
            except Exception as exc:
                if attempt >= queue.max_attempts:
                    log.error("event %s (%s) dead-lettered on %s after %d attempts: %r",
                              envelope.id, envelope.type, queue.name, attempt, exc)
                    count_consumed(owner.service_name, envelope.type, "dead_lettered")
                    queue.dead_letters.append(DeadLetter(queue.name, envelope, attempt, repr(exc)))
                    return
                log.warning("handler on %s failed for event %s (%s), attempt %d/%d: %r",
                            queue.name, envelope.id, envelope.type, attempt, queue.max_attempts, exc)
                count_consumed(owner.service_name, envelope.type, "retry")
                await asyncio.sleep(retry_delay(attempt, self.retry_base, self.retry_cap))
