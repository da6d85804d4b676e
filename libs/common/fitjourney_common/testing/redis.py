"""Where test suites find Redis: `FJ_TEST_REDIS_URL` (default the machine's 127.0.0.1:6379), one db each.

Parallel test runs on one machine (several checkouts, several developers) each point this at their own
redis-server, so one run's FLUSHDB never empties another run's keys. Within one run, `pytest -n N`
(xdist) gives each worker its own db as well: every suite flushes its db when its session starts.
"""

from __future__ import annotations

import os

from redis import asyncio as aioredis

# The db of each suite in a run without xdist (or in its first worker): common, auth, core, ai, analytics.
SUITE_DBS = (13, 1, 2, 3, 4)
# Redis has 16 dbs by default; other workers take the ones no suite uses, SUITE_DBS at a time.
SPARE_DBS = tuple(db for db in range(1, 16) if db not in SUITE_DBS)
MAX_WORKERS = 1 + len(SPARE_DBS) // len(SUITE_DBS)


def xdist_worker_index() -> int:
    """0 without xdist or in worker gw0, 1 in gw1, ..."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw")) if worker.removeprefix("gw").isdigit() else 0


def redis_db_for_tests(db: int) -> int:
    """The db a suite registered as `db` (one of SUITE_DBS) uses in this xdist worker."""
    worker = xdist_worker_index()
    if worker == 0:
        return db
    if db not in SUITE_DBS:
        raise ValueError(f"test Redis db {db} is not one of the suites' dbs {SUITE_DBS}; add it there")
    if worker >= MAX_WORKERS:
        raise RuntimeError(f"at most {MAX_WORKERS} xdist workers can each have their own Redis dbs")
    return SPARE_DBS[(worker - 1) * len(SUITE_DBS) + SUITE_DBS.index(db)]


def redis_url_for_tests(db: int) -> str:
    """`redis://host:port/<db>` on the test Redis server, the db of this suite in this xdist worker."""
    base = os.environ.get("FJ_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
    return f"{base}/{redis_db_for_tests(db)}"


async def flush_redis(url: str) -> None:
    """Empty the suite's db when its session starts (keys a previous run left would leak into this one)."""
    client = aioredis.Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
