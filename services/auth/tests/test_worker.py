"""`python -m fitjourney_auth.worker` as its own process: it erases an account on `user.deleted` (an event
the API replica never sees) and exits cleanly on SIGTERM, leaving nothing unacked."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime

import aio_pika
from auth_helpers import BROKER_URL, fetch, signed_in

from fitjourney_common.testing.polling import poll_until
from fitjourney_common.testing.processes import worker_process
from fitjourney_common.testing.rabbitmq import assert_worker_stops_cleanly, delete_broker_objects, listening


async def test_the_worker_process_erases_accounts_and_stops_on_sigterm(client, db, make_settings, exchange):
    settings = make_settings()
    worker_exchange = f"{exchange}.w{uuid.uuid4().hex[:8]}"  # reaches the worker process and nothing else
    queue = f"{worker_exchange}.auth.events"
    env = {**os.environ, "ENVIRONMENT": "test", "DATABASE_URL": settings.database_url,
           "REDIS_URL": settings.redis_url, "BROKER_URL": settings.broker_url, "EVENTS_EXCHANGE": worker_exchange,
           "EVENTS_QUEUE_PREFIX": f"{worker_exchange}.", "DATA_DIR": str(settings.data_dir), "BCRYPT_ROUNDS": "4",
           "LOG_JSON": "false", "LOG_LEVEL": "WARNING"}
    account = await signed_in(client)
    try:
        async with worker_process("fitjourney_auth.worker", env) as process:
            await poll_until(lambda: listening(queue), timeout=60)
            connection = await aio_pika.connect(BROKER_URL)
            async with connection:
                channel = await connection.channel()
                target = await channel.declare_exchange(worker_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
                envelope = {"id": str(uuid.uuid4()), "type": "user.deleted", "version": 1,
                            "occurred_at": datetime.now(UTC).isoformat(), "user_id": str(account.id),
                            "data": {"user_id": str(account.id)}}
                await target.publish(aio_pika.Message(json.dumps(envelope).encode(), content_type="application/json"),
                                     routing_key="user.deleted")

            async def erased() -> bool:
                return await fetch(db, "select id from auth.users where id = :id", id=account.id) == []

            await poll_until(erased, timeout=30)
            await assert_worker_stops_cleanly(process, queue)
    finally:
        await delete_broker_objects([queue, f"{queue}.dlq"], [worker_exchange, f"{worker_exchange}.dlx"])
