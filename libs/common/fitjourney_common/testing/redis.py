"""Where test suites find Redis: `FJ_TEST_REDIS_URL` (default the machine's 127.0.0.1:6379), one db each.

Parallel test runs on one machine (several checkouts, several developers) each point this at their own
redis-server, so one run's FLUSHDB never empties another run's keys."""

from __future__ import annotations

import os


def redis_url_for_tests(db: int) -> str:
    """`redis://host:port/<db>` on the test Redis server."""
    base = os.environ.get("FJ_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
    return f"{base}/{db}"
