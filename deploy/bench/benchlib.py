"""What every benchmark script shares: latency summaries, the machine it ran on, and the results file."""

from __future__ import annotations

import json
import os
import platform
import shlex
import statistics
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def summary_ms(samples: list[float], *, one_client: bool = False) -> dict[str, float]:
    """Mean, p50 and p95 in milliseconds of samples in seconds; with `one_client` (requests sent one after
    another), also what that one client manages per second (1 / mean)."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    mean = statistics.fmean(samples)
    result = {"mean_ms": round(mean * 1000, 3), "p50_ms": round(cuts[49] * 1000, 3),
              "p95_ms": round(cuts[94] * 1000, 3), "n": len(samples)}
    return {**result, "per_s": round(1 / mean, 1)} if one_client else result


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    """Where and how the figures were measured, recorded beside them."""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
    }


def record(name: str, result: dict[str, Any]) -> None:
    """Print the result and append it as one JSON line to results/<name>.jsonl."""
    line = json.dumps({"bench": name, "at": datetime.now(UTC).isoformat(timespec="seconds"), **result,
                       **machine()})
    print(line)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with (RESULTS_DIR / f"{name}.jsonl").open("a") as results:
        results.write(line + "\n")


async def create_database(admin_url: str, prefix: str) -> tuple[str, str, str]:
    """A throwaway database on admin_url's server: its name, its SQLAlchemy (asyncpg) URL, the server's version."""
    import asyncpg  # only the scripts that need a database pay for it

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        version = str(await admin.fetchval("show server_version"))
    finally:
        await admin.close()
    server = admin_url.rpartition("/")[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return name, f"{server}/{name}", version


async def drop_database(admin_url: str, name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
