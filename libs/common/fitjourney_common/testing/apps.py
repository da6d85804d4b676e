"""A service's app in its tests: run through its lifespan (consumers listening) and reached over ASGI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI


@asynccontextmanager
async def running_app(app: FastAPI, *, wait_for_broker: bool = True, startup_timeout: float = 60,
                      shutdown_timeout: float = 60) -> AsyncIterator[FastAPI]:
    """The app with its lifespan entered; with the broker, once its consumers listen (events then reach them)."""
    async with LifespanManager(app, startup_timeout=startup_timeout, shutdown_timeout=shutdown_timeout):
        worker = app.state.runtime.worker
        if wait_for_broker and worker is not None:
            await asyncio.wait_for(worker.wait_connected(), 30)
        yield app


def asgi_client(app: FastAPI, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client that calls the app in process, as a client over HTTP would."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", **kwargs)
