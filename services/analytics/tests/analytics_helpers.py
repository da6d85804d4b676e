"""Helpers the analytics tests import (not named conftest: every suite has one, and they run together)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVICE_DIR = Path(__file__).resolve().parents[1]
CORE_DIR = SERVICE_DIR.parent / "core"
AUTH_DIR = SERVICE_DIR.parent / "auth"
AI_DIR = SERVICE_DIR.parent / "ai"
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"


async def poll_until(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05) -> Any:  # noqa: ASYNC109
    """Call `predicate` (sync or async) until it returns something truthy; return that, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last value: {result!r})")
        await asyncio.sleep(interval)
