"""What every benchmark script shares: latency summaries, the machine it ran on, and the results file."""

from __future__ import annotations

import json
import os
import platform
import shlex
import statistics
import sys
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
