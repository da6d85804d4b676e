"""Looking at RabbitMQ the way an operator would, for tests: a queue's consumers and messages, and clean-up."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import Iterable

import aio_pika

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"


async def queue_state(queue: str, url: str = BROKER_URL) -> tuple[int, int] | None:
    """(consumers, ready messages) of `queue`, or None while it does not exist."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        result = declared.declaration_result
        return int(result.consumer_count or 0), int(result.message_count or 0)
    except aio_pika.exceptions.ChannelClosed:
        return None
    finally:
        await connection.close()


async def listening(queue: str, url: str = BROKER_URL) -> bool:
    """One consumer on `queue`: the worker that declared it is ready for its events."""
    state = await queue_state(queue, url)
    return state is not None and state[0] == 1


async def assert_worker_stops_cleanly(process: asyncio.subprocess.Process, queue: str, url: str = BROKER_URL) -> None:
    """On SIGTERM the worker exits 0 and leaves no consumer and no unacked message on its queue."""
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 30) == 0
    assert await queue_state(queue, url) == (0, 0), "the worker left a consumer or an unacked message behind"


def queues_starting_with(prefix: str) -> list[str]:
    """The broker's queues named `prefix…`, as `rabbitmqctl` lists them ([] where it cannot run here)."""
    try:
        listed = subprocess.run(["rabbitmqctl", "list_queues", "name", "-q", "--no-table-headers"],  # noqa: S607
                                capture_output=True, text=True, timeout=60, check=False).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [name for name in listed if name.startswith(prefix)]


async def delete_broker_objects(queues: Iterable[str], exchanges: Iterable[str], url: str = BROKER_URL, *,
                                prefix: str | None = None) -> None:
    """Durable queues and exchanges outlive a test run: delete them (missing ones are fine). With `prefix`, also
    every queue whose name starts with it: one a run's workers declared that its list forgot would stay for good,
    and idle quorum queues pile up in the machine's broker until it stops answering."""
    names = list(dict.fromkeys([*queues, *(await asyncio.to_thread(queues_starting_with, prefix) if prefix else [])]))
    connection = await aio_pika.connect(url)
    try:
        for name in names:
            async with connection.channel() as channel:
                await channel.queue_delete(name)
        for name in exchanges:
            async with connection.channel() as channel:
                await channel.exchange_delete(name)
    finally:
        await connection.close()
