"""Looking at RabbitMQ the way an operator would, for tests: a queue's consumers and messages, and clean-up."""

from __future__ import annotations

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


async def delete_broker_objects(queues: Iterable[str], exchanges: Iterable[str], url: str = BROKER_URL) -> None:
    """Durable queues and exchanges outlive a test run: delete them (missing ones are fine)."""
    connection = await aio_pika.connect(url)
    try:
        for name in queues:
            async with connection.channel() as channel:
                await channel.queue_delete(name)
        for name in exchanges:
            async with connection.channel() as channel:
                await channel.exchange_delete(name)
    finally:
        await connection.close()
