"""A test run's clean-up leaves nothing of its own in the machine's broker: idle quorum queues that pile up
across runs once stopped the shared RabbitMQ from answering at all."""

from __future__ import annotations

import uuid

import aio_pika
import pytest

from fitjourney_common.testing.rabbitmq import delete_broker_objects, queue_state, queues_starting_with

from .conftest import AMQP_URL


async def test_clean_up_deletes_listed_and_forgotten_queues_of_the_prefix_and_nothing_else() -> None:
    prefix = f"fj-cleanup-{uuid.uuid4().hex[:8]}"
    listed, forgotten, bystander = f"{prefix}.listed", f"{prefix}.forgotten", f"other-{prefix}.bystander"
    exchange = f"{prefix}.events"
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        for name in (listed, forgotten, bystander):
            await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
        assert sorted(queues_starting_with(prefix)) == [forgotten, listed]

        await delete_broker_objects([listed], [exchange], AMQP_URL, prefix=prefix)

        assert await queue_state(listed, AMQP_URL) is None
        assert await queue_state(forgotten, AMQP_URL) is None, "a queue the list forgot outlived the run"
        assert await queue_state(bystander, AMQP_URL) == (0, 0), "another run's queue was deleted"
        with pytest.raises(aio_pika.exceptions.ChannelClosed):  # the run's exchange is gone too
            await (await connection.channel()).declare_exchange(exchange, passive=True)
    finally:
        await delete_broker_objects([bystander], [], AMQP_URL)
        await connection.close()
