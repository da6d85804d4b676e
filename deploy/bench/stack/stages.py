"""The stepped load plan of the stack benchmark and its verdicts: which rate each stage offers, how many
simulated people that takes, whether a stage held, and the highest rate sustained.

Pure (standard library only): the locustfile, the orchestrator and the tests import it alike.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A stage is sustained when its p99 stays under this and nothing failed (issue 13's bar).
SUSTAINED_P99_MS = 100.0
# A stage breaks (and the run stops stepping up) past these: errors, a p99 no app can live with, or the
# offered rate not reached (the people wait for answers, so a slow stack sends less than it is asked to).
BREAK_ERROR_RATE = 0.01
BREAK_P99_MS = 1000.0
BREAK_ACHIEVED_SHARE = 0.9
# Requests each simulated person sends per second on average: tasks at TASK_RATE, and the locustfile's mix makes
# 1.36 requests a task (weights 40 x 1.5 for opening the app, whose dashboard comes every other time, + 25 x 2 for
# search and log + 60 x 1 for the rest, over 125). About 65 a minute, most to core: well under the API's 100 requests
# a minute per user, so no 429 comes from the limiter. (At 1.5 the people offered only 91 % of a stage's rate.)
TASK_RATE = 0.8
REQUESTS_PER_TASK = 1.36


@dataclass(frozen=True)
class Stage:
    """`rate` requests per second offered for `seconds`, the first `warmup` of them not counted."""

    rate: float
    seconds: float
    warmup: float

    @property
    def users(self) -> int:
        return users_for(self.rate)


def users_for(rate: float) -> int:
    """Simulated people needed to offer `rate` requests per second at TASK_RATE tasks per second each."""
    return max(1, math.ceil(rate / (TASK_RATE * REQUESTS_PER_TASK)))


def plan(rates: Iterable[float], seconds: float, warmup: float) -> list[Stage]:
    if seconds <= warmup:
        raise ValueError("a stage must last longer than its warm-up")
    stages = [Stage(float(rate), float(seconds), float(warmup)) for rate in rates]
    if not stages or any(b.rate <= a.rate for a, b in itertools.pairwise(stages)):
        raise ValueError("rates must be given and rise from stage to stage")
    return stages


def stage_at(stages: Sequence[Stage], elapsed: float) -> int | None:
    """Index of the stage running `elapsed` seconds after the start, None once every stage is over."""
    end = 0.0
    for index, stage in enumerate(stages):
        end += stage.seconds
        if elapsed < end:
            return index
    return None


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks (numpy's default)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    if len(ordered) == 1:
        return float(ordered[0])
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def latency_summary(samples_ms: Sequence[float], errors: int, seconds: float) -> dict[str, float | int]:
    """p50/p95/p99/max/mean in ms, throughput (answers a second) and error rate of one window."""
    count = len(samples_ms) + errors
    return {
        "requests": count, "errors": errors,
        "error_rate": round(errors / count, 5) if count else 0.0,
        "rps": round(count / seconds, 2) if seconds > 0 else 0.0,
        "p50_ms": round(percentile(samples_ms, 50), 2), "p95_ms": round(percentile(samples_ms, 95), 2),
        "p99_ms": round(percentile(samples_ms, 99), 2),
        "max_ms": round(max(samples_ms), 2) if samples_ms else math.nan,
        "mean_ms": round(statistics.fmean(samples_ms), 2) if samples_ms else math.nan,
    }


def sustained(stage_rate: float, overall: dict[str, float | int]) -> bool:
    """The stage held issue 13's bar: p99 under 100 ms, zero errors, and the offered rate was reached."""
    return (int(overall["errors"]) == 0 and float(overall["p99_ms"]) < SUSTAINED_P99_MS
            and float(overall["rps"]) >= BREAK_ACHIEVED_SHARE * stage_rate)


def broke(stage_rate: float, overall: dict[str, float | int]) -> str | None:
    """Why stepping up should stop after this stage, or None while it may go on."""
    if float(overall["error_rate"]) > BREAK_ERROR_RATE:
        return f"error rate {float(overall['error_rate']):.1%} > {BREAK_ERROR_RATE:.0%}"
    if float(overall["p99_ms"]) > BREAK_P99_MS:
        return f"p99 {float(overall['p99_ms']):.0f} ms > {BREAK_P99_MS:.0f} ms"
    if float(overall["rps"]) < BREAK_ACHIEVED_SHARE * stage_rate:
        return f"reached {float(overall['rps']):.0f} of {stage_rate:.0f} requests/s offered"
    return None


def max_sustained_rps(stages: Iterable[tuple[float, dict[str, float | int]]]) -> float | None:
    """The highest offered rate whose stage was sustained (None when not even the first one was)."""
    held = [rate for rate, overall in stages if sustained(rate, overall)]
    return max(held) if held else None
