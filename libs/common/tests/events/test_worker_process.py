"""`worker_main` as a real process: SIGTERM mid-message finishes and acks it, then flushes the outbox."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import redis.asyncio as aioredis

from fitjourney_common.events import EventEnvelope
from fitjourney_common.testing.redis import redis_url_for_tests

PROBE = Path(__file__).with_name("worker_probe.py")
REDIS_URL = redis_url_for_tests(13)
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


async def test_sigterm_mid_message_acks_it_and_flushes_the_outbox_before_exit(
    rabbit: Any, tmp_path: Path,
) -> None:
    tag = f"probe-{uuid.uuid4().hex}"
    work_queue = rabbit.queue("probe.work")
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/probe.db", "REDIS_URL": REDIS_URL,
           "BROKER_URL": AMQP_URL, "EVENTS_EXCHANGE": rabbit.exchange, "EVENTS_QUEUE_PREFIX": f"{rabbit.prefix}.",
           "ENVIRONMENT": "test", "LOG_JSON": "false", "OUTBOX_POLL_SECONDS": "0.05"}
    redis = aioredis.from_url(REDIS_URL, socket_timeout=None)  # it blocks in BLPOP for longer than 5 s
    connection = await aio_pika.connect(AMQP_URL)
    process = await asyncio.create_subprocess_exec(sys.executable, str(PROBE), tag, env=env)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(rabbit.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        done = await channel.declare_queue(exclusive=True)
        await done.bind(exchange, routing_key="probe.done")

        assert await redis.blpop([f"{tag}:ready"], timeout=60) is not None, "the worker did not start"
        work = EventEnvelope(id=uuid.uuid4(), type="probe.work", occurred_at=datetime.now(UTC))
        await exchange.publish(aio_pika.Message(work.to_json(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                               routing_key="probe.work")

        started = await redis.blpop([f"{tag}:started"], timeout=30)
        assert started is not None and started[1] == str(work.id).encode(), "the message never got in flight"
        process.send_signal(signal.SIGTERM)
        assert await redis.blpop([f"{tag}:stopping"], timeout=30) is not None, "SIGTERM did not stop the worker"
        await redis.rpush(f"{tag}:release", "1")  # the handler finishes only once the worker is stopping
        assert await asyncio.wait_for(process.wait(), 30) == 0

        message = await done.get(timeout=10, fail=False)
        assert message is not None, "the outbox was not flushed before the worker exited"
        assert json.loads(message.body)["data"] == {"of": str(work.id)}
        async with connection.channel() as check:
            left = await check.declare_queue(work_queue, passive=True)
            assert left.declaration_result.message_count == 0, "the in-flight message was not acked"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await redis.delete(*(f"{tag}:{key}" for key in ("ready", "started", "stopping", "release")))
        await redis.aclose()
        await connection.close()
