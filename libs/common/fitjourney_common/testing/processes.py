"""Processes a test starts: stopping a server politely first, then for sure; a worker that never outlives its test."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


def stop_process(process: subprocess.Popen[bytes], grace_seconds: float = 10) -> None:
    """SIGTERM, wait up to `grace_seconds` for a clean exit (lifespans close their backends), then SIGKILL."""
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@asynccontextmanager
async def worker_process(module: str, env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m <module>` as its own process, killed afterwards unless the test already stopped it."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", module, env=env)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
