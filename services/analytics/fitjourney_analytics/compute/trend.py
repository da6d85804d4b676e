"""Smoothing and robust trends of irregular daily series: a day-based EMA and Theil-Sen slopes with a CI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist
from typing import Literal, NamedTuple

import numpy as np

# A "7-day" EMA: span 7, i.e. each new day weighs alpha = 2 / (7 + 1) = 0.25.
EMA_SPAN_DAYS = 7
CONFIDENCE = 0.95

Direction = Literal["up", "down", "flat", "unknown"]


def day_ema(days: Sequence[date], values: Sequence[float], span_days: int = EMA_SPAN_DAYS) -> list[float]:
    """Exponential moving average over calendar time, for series with gaps (weighings are irregular).

    Between two observations `g` days apart the previous average keeps the weight (1 - alpha) ** g, so
    a daily series gets the usual EMA (`pandas.ewm(span=7, adjust=False)`) and a gap counts as the days
    it lasted, not as one step."""
    alpha = 2.0 / (span_days + 1.0)
    out: list[float] = []
    previous_day: date | None = None
    for day, value in zip(days, values, strict=True):
        if previous_day is None:
            out.append(float(value))
        else:
            keep = (1.0 - alpha) ** max((day - previous_day).days, 0)
            out.append(out[-1] * keep + float(value) * (1.0 - keep))
        previous_day = day
    return out


@dataclass(frozen=True)
class Trend:
    """Slope per day and per week with a two-sided 95 % interval, from `n` points."""

    n: int
    slope_per_day: float | None
    slope_per_week: float | None
    ci_per_week: tuple[float, float] | None
    direction: Direction


def robust_trend(days: Sequence[date], values: Sequence[float], confidence: float = CONFIDENCE) -> Trend:
    """Theil-Sen slope (median of pairwise slopes: one bad weighing cannot swing it) with its
    confidence interval (Sen 1968, as `scipy.stats.theilslopes`). Direction is up or down only when the
    whole interval is on one side of zero; otherwise flat. Fewer than 3 points, or all on one day: unknown."""
    n = len(values)
    if n < 3 or len(set(days)) < 2:
        return Trend(n=n, slope_per_day=None, slope_per_week=None, ci_per_week=None, direction="unknown")
    origin = min(days)
    x = np.array([(day - origin).days for day in days], dtype=float)
    y = np.array(values, dtype=float)
    result = theil_sen(x, y, confidence)
    slope, low, high = result.slope, result.low, result.high
    direction: Direction = "up" if low > 0 else "down" if high < 0 else "flat"
    return Trend(n=n, slope_per_day=slope, slope_per_week=slope * 7.0, ci_per_week=(low * 7.0, high * 7.0),
                 direction=direction)


class TheilSen(NamedTuple):
    slope: float
    low: float
    high: float


def theil_sen(x: np.ndarray, y: np.ndarray, confidence: float) -> TheilSen:
    """The median of the pairwise slopes and Sen's (1968, eq. 2.6) interval with ties: the figures of
    `scipy.stats.theilslopes` (a test holds them equal), without importing scipy.stats, which would add
    66 MB to every analytics API process for this one function."""
    dx = x[:, np.newaxis] - x
    dy = y[:, np.newaxis] - y
    slopes = np.sort(dy[dx > 0] / dx[dx > 0])
    z = NormalDist().inv_cdf((1.0 - confidence) / 2.0)

    def ties(values: np.ndarray) -> float:
        return sum(k * (k - 1) * (2 * k + 5) for k in Counter(values.tolist()).values() if k > 1)

    n, pairs = len(y), len(slopes)
    variance = (n * (n - 1) * (2 * n + 5) - ties(x) - ties(y)) / 18.0
    if variance < 0:  # ties everywhere: no interval (scipy answers NaN too)
        return TheilSen(float(np.median(slopes)), float("nan"), float("nan"))
    sigma = variance ** 0.5
    upper = min(round((pairs - z * sigma) / 2.0), pairs - 1)
    lower = max(round((pairs + z * sigma) / 2.0) - 1, 0)
    return TheilSen(float(np.median(slopes)), float(slopes[lower]), float(slopes[upper]))
