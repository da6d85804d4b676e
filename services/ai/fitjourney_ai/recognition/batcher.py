"""Micro-batching: images that arrive together are classified in one forward pass, off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


class MicroBatcher(Generic[ItemT, ResultT]):
    """`await submit(item)` returns `predict([...])[i]` for that item.

    The first waiting item opens a batch, joined at once by the items already queued (those that arrived
    during the previous forward pass); it closes at `max_batch` items or, when `max_wait` is above 0, after
    waiting that long for more. So a lone item is not held back, and a busy model still gets full batches.
    Then `predict` runs in a worker thread, `executor`'s if given (one batch at a time, each forward pass on
    FOOD_INFERENCE_THREADS threads, so the event loop and the other cores stay free for HTTP and the other
    consumers).
    """

    def __init__(self, predict: Callable[[list[ItemT]], list[ResultT]], *, max_batch: int = 16,
                 max_wait: float = 0.0, executor: Executor | None = None) -> None:
        self._predict = predict
        self._executor = executor
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._queue: asyncio.Queue[tuple[ItemT, asyncio.Future[ResultT]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches_run = 0
        self.largest_batch = 0

    @property
    def waiting(self) -> int:
        """Items queued for the next batch."""
        return self._queue.qsize()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="food-model-batcher")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        while not self._queue.empty():
            _, future = self._queue.get_nowait()
            if not future.done():
                future.set_exception(RuntimeError("recogniser stopped"))

    async def submit(self, item: ItemT) -> ResultT:
        self.start()
        future: asyncio.Future[ResultT] = asyncio.get_running_loop().create_future()
        await self._queue.put((item, future))
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self.max_wait
            while len(batch) < self.max_batch:
                if not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            live = [(item, future) for item, future in batch if not future.done()]
            if not live:
                continue
            try:
                results = await loop.run_in_executor(self._executor, self._predict, [item for item, _ in live])
            except Exception as exc:
                log.exception("batch of %d failed", len(live))
                for _, future in live:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self.batches_run += 1
            self.largest_batch = max(self.largest_batch, len(live))
            for (_, future), result in zip(live, results, strict=True):
                if not future.done():
                    future.set_result(result)
