"""The standalone worker (`python -m fitjourney_core.worker`) joins the queue as a consumer and stops cleanly."""

from __future__ import annotations

import asyncio

import aio_pika
from core_helpers import BROKER_URL
from fastapi import FastAPI

from fitjourney_common.runtime import run_worker
from fitjourney_core.main import open_core_runtime
from fitjourney_core.settings import CoreSettings


async def consumers_on(queue: str) -> int:
    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.consumer_count or 0)
    finally:
        await connection.close()


async def test_worker_consumes_beside_the_api_replica_and_stops(app: FastAPI, settings: CoreSettings, wait_for) -> None:
    before = await consumers_on(settings.events_queue)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(open_core_runtime, settings, stop))
    try:
        await wait_for(lambda: _consumers_above(settings.events_queue, before), timeout=20)
    finally:
        stop.set()
        await asyncio.wait_for(worker, 30)
    await wait_for(lambda: _consumers_equal(settings.events_queue, before))


async def _consumers_above(queue: str, count: int) -> bool:
    return await consumers_on(queue) > count


async def _consumers_equal(queue: str, count: int) -> bool:
    return await consumers_on(queue) == count
