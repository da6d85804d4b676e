"""`python -m fitjourney_auth.worker` as its own process: it erases an account on `user.deleted` (an event
the API replica never sees) and exits cleanly on SIGTERM, leaving nothing unacked."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from datetime import UTC, datetime

import aio_pika
from auth_helpers import BROKER_URL, fetch, signed_in

from fitjourney_common.testing.rabbitmq import delete_broker_objects, queue_state


async def test_the_worker_process_erases_accounts_and_stops_on_sigterm(client, db, make_settings, exchange):
    settings = make_settings()
    worker_exchange = f"{exchange}.w{uuid.uuid4().hex[:8]}"  # reaches the worker process and nothing else
    queue = f"{worker_exchange}.auth.events"
    env = {**os.environ, "ENVIRONMENT": "test", "DATABASE_URL": settings.database_url,
           "REDIS_URL": settings.redis_url, "BROKER_URL": settings.broker_url, "EVENTS_EXCHANGE": worker_exchange,
           "EVENTS_QUEUE_PREFIX": f"{worker_exchange}.", "DATA_DIR": str(settings.data_dir), "BCRYPT_ROUNDS": "4",
           "LOG_JSON": "false", "LOG_LEVEL": "WARNING"}
    account = await signed_in(client)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "fitjourney_auth.worker", env=env)
    try:
        await _until(lambda: _listening(queue), within=60)
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

        await _until(erased, within=30)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
        assert await queue_state(queue) == (0, 0), "the worker left a consumer or an unacked message behind"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await delete_broker_objects([queue, f"{queue}.dlq"], [worker_exchange, f"{worker_exchange}.dlx"])


async def _listening(queue: str) -> bool:
    state = await queue_state(queue)
    return state is not None and state[0] == 1


async def _until(check, within: float) -> None:
    """Poll `check` (a broker's or database's state, which sends no notification) until true."""
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.1)
