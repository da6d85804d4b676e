"""Photos are batched by what queued while the model was busy: a lone photo goes through at once, and the ones
that arrive during a forward pass share the next one."""

from __future__ import annotations

import asyncio
import threading

from fitjourney_ai.recognition.batcher import MicroBatcher
from fitjourney_common.testing.polling import poll_until


async def test_a_lone_photo_goes_alone_and_those_queued_meanwhile_share_the_next_pass() -> None:
    model_busy = threading.Event()
    batches: list[list[int]] = []

    def predict(items: list[int]) -> list[int]:
        batches.append(list(items))
        if len(batches) == 1:
            model_busy.wait(15)  # the first pass lasts until the other photos are queued
        return [item * 10 for item in items]

    batcher = MicroBatcher(predict, max_batch=8, max_wait=0.0)
    try:
        first = asyncio.create_task(batcher.submit(1))
        await poll_until(lambda: batches)  # nothing else is coming: no wait for company
        assert batches == [[1]]
        rest = [asyncio.create_task(batcher.submit(item)) for item in (2, 3, 4)]
        await poll_until(lambda: batcher.waiting == 3)
        model_busy.set()
        assert await asyncio.gather(first, *rest) == [10, 20, 30, 40]
        assert batches == [[1], [2, 3, 4]]
    finally:
        model_busy.set()
        await batcher.close()
