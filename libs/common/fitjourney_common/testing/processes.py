"""Stopping a server process a test started: politely first, then for sure."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen[bytes], grace_seconds: float = 10) -> None:
    """SIGTERM, wait up to `grace_seconds` for a clean exit (lifespans close their backends), then SIGKILL."""
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
