"""The event bus interface services program against (`factory.create_bus` picks one from BROKER_URL)."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence

from fitjourney_common.events.envelope import EventEnvelope

Handler = Callable[[EventEnvelope], Awaitable[None]]


class EventBusError(Exception):
    """Base of the bus's own errors."""


class PublishError(EventBusError):
    """The broker did not confirm every event; `unconfirmed` must be published again (the outbox does)."""

    def __init__(
        self,
        message: str,
        *,
        confirmed: Collection[uuid.UUID] = (),
        unconfirmed: Collection[uuid.UUID] = (),
    ) -> None:
        super().__init__(message)
        self.confirmed: frozenset[uuid.UUID] = frozenset(confirmed)
        self.unconfirmed: frozenset[uuid.UUID] = frozenset(unconfirmed)


def retry_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff before the next delivery: base * 2^(attempt-1), capped (attempt counts from 1)."""
    return float(min(cap, base * (2 ** min(max(0, attempt - 1), 20))))


class EventBus(abc.ABC):
    """Topic routing: the routing key is the event type; patterns use `*` (one word) and `#` (any words).

    A queue is a named group of competing consumers: each event reaches every queue whose patterns
    match, and exactly one handler of that queue. A failing handler is retried with backoff up to
    `max_attempts` deliveries, then the event is parked on the queue's dead-letter queue.
    """

    @abc.abstractmethod
    async def start(self) -> None:
        """Connect; raises if the broker cannot be reached."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop consuming, let in-flight handlers finish (briefly), disconnect. Safe to call twice."""

    @abc.abstractmethod
    async def stop_consuming(self) -> None:
        """Take no new messages and let in-flight handlers finish and ack (briefly); publishing still works.

        `close` does this too; a worker calls it first so events its handlers wrote can still be relayed."""

    @abc.abstractmethod
    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        """Return only once the broker confirmed every envelope; otherwise raise PublishError."""

    @abc.abstractmethod
    async def subscribe(
        self,
        queue: str,
        patterns: Sequence[str],
        handler: Handler,
        *,
        max_attempts: int = 5,
        prefetch: int | None = None,
    ) -> None:
        """Deliver events whose type matches any of `patterns` to `handler` through the durable `queue`."""

    @abc.abstractmethod
    async def ping(self) -> bool:
        """True when the bus can publish right now (for /readyz)."""

    @abc.abstractmethod
    async def dead_letter_count(self, queue: str) -> int:
        """How many events are parked on `queue`'s dead-letter queue."""

    async def publish_one(self, envelope: EventEnvelope) -> None:
        await self.publish([envelope])
