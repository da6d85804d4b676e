"""Runs a service's event consumers and outbox relay, inside a FastAPI lifespan or as its own process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from fitjourney_common.events.bus import EventBus, Handler
from fitjourney_common.events.outbox import OutboxRelay

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    """`handler` receives events whose type matches `patterns`, through the durable queue `queue`."""

    queue: str
    patterns: Sequence[str]
    handler: Handler
    max_attempts: int = 5
    # Unacked deliveries in flight on this queue (None: the bus's default). A queue of slow work (image
    # inference) gets a small one, so its backlog never takes the slots of a quick queue's events.
    prefetch: int | None = None


class EventWorker:
    """Starts the bus, its subscriptions and the relay; if the broker is down at start-up it keeps
    retrying in the background instead of failing, so the service still serves requests (its events
    wait in the outbox and /readyz reports the broker)."""

    def __init__(
        self,
        bus: EventBus,
        relay: OutboxRelay | None,
        subscriptions: Sequence[Subscription] = (),
        *,
        connect_retry_max: float = 30.0,
    ) -> None:
        self.bus = bus
        self.relay = relay
        self.subscriptions = list(subscriptions)
        self.connect_retry_max = connect_retry_max
        self._stop = asyncio.Event()
        self._connected = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def connected(self) -> bool:
        """True once the bus is started and every subscription is in place."""
        return self._connected.is_set()

    async def start(self) -> None:
        self._stop.clear()
        try:
            await self._connect()
        except Exception as exc:
            log.error("event bus unavailable at start-up, retrying in the background: %r", exc)
            self._tasks.append(asyncio.create_task(self._connect_with_retry(), name="event-bus-connect"))
        if self.relay is not None:
            self._tasks.append(asyncio.create_task(self.relay.run_forever(self._stop), name="outbox-relay"))

    async def stop(self, flush_seconds: float = 10.0) -> None:
        """Shut down without losing work: take no new messages, let in-flight handlers finish and ack,
        publish what is left in the outbox (including events those handlers wrote), then disconnect."""
        self._stop.set()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            if task.get_name() == "event-bus-connect":
                task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.connected:
            await self.bus.stop_consuming()
            if self.relay is not None:
                try:
                    flushed = await self.relay.flush(flush_seconds)
                except Exception:  # the events stay in the outbox for the next relay
                    log.exception("outbox could not be flushed at shutdown")
                else:
                    log.info("outbox flushed at shutdown: %d event(s)", flushed)
        await self.bus.close()
        self._connected.clear()

    async def wait_connected(self) -> None:
        """Wait until the bus is connected (wrap in `asyncio.timeout` to bound it)."""
        await self._connected.wait()

    async def __aenter__(self) -> EventWorker:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def _connect(self) -> None:
        await self.bus.start()
        try:
            for subscription in self.subscriptions:
                await self.bus.subscribe(subscription.queue, subscription.patterns, subscription.handler,
                                         max_attempts=subscription.max_attempts, prefetch=subscription.prefetch)
        except BaseException:
            await self.bus.close()  # start again from scratch next time, not with half the queues
            raise
        self._connected.set()
        log.info("event worker connected: %d subscription(s)", len(self.subscriptions))

    async def _connect_with_retry(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            if self._stop.is_set():
                return
            try:
                await self._connect()
                return
            except Exception as exc:
                delay = min(self.connect_retry_max, delay * 2)
                log.warning("event bus still unavailable, next try in %.1fs: %r", delay, exc)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT set `stop` instead of killing the process."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def wait_for_stop_signal(stop: asyncio.Event) -> None:
    """Set `stop` on SIGTERM or SIGINT and wait for it; the handlers are removed again afterwards."""
    with stop_on_signals(stop):
        await stop.wait()


async def run_until_signal(worker: EventWorker) -> None:
    """Run `worker` until SIGTERM or SIGINT, then stop it (drain in-flight messages, flush the outbox)."""
    stop = asyncio.Event()
    with stop_on_signals(stop):  # before start: a signal during start-up still stops it cleanly
        try:
            await worker.start()
            await stop.wait()
            log.info("signal received, stopping the event worker")
        finally:
            await worker.stop()
