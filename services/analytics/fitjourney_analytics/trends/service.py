"""Which days count for each metric, and its robust trend."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from fitjourney_analytics.compute.trend import CONFIDENCE, robust_trend
from fitjourney_analytics.coredata.repository import CoreReadRepository
from fitjourney_analytics.dashboard.cache import DashboardCache, response_body
from fitjourney_analytics.dashboard.service import UserDays, cached_view, load_current
from fitjourney_analytics.trends.schemas import TrendRead

# metric -> (unit, the days that count). "logged": days with food logged (a day nothing was logged is
# unknown intake, not zero); "all": every day (no workout is zero minutes); "measured": days with a value.
METRICS: dict[str, tuple[str, str]] = {
    "weight": ("kg", "measured"), "body_fat": ("%", "measured"),
    "kcal_in": ("kcal", "logged"), "protein_g": ("g", "logged"), "carbs_g": ("g", "logged"), "fat_g": ("g", "logged"),
    "kcal_out": ("kcal", "all"), "workout_minutes": ("min", "all"), "workouts": ("count", "all"),
    "mood": ("1-5", "measured"), "energy": ("1-5", "measured"), "habit_completion": ("ratio", "measured"),
}
COLUMNS = {"weight": "weight_kg", "body_fat": "body_fat_pct"}
# The one kind of data each metric is computed from (see `load_days`).
KIND = {"weight": "body", "body_fat": "body", "kcal_in": "food", "protein_g": "food", "carbs_g": "food",
        "fat_g": "food", "kcal_out": "workouts", "workout_minutes": "workouts", "workouts": "workouts",
        "mood": "journal", "energy": "journal", "habit_completion": "habits"}


def metric_series(data: UserDays, metric: str) -> tuple[list[date], np.ndarray]:
    """The days that count for `metric` and its value on each."""
    column, window_days = data.columns, data.window.days
    _, days = METRICS[metric]
    if metric == "habit_completion":
        keep = column["habits_scheduled"] > 0
        values = column["habits_done"][keep] / column["habits_scheduled"][keep]
    elif days == "logged":
        keep = column["food_logs"] > 0
        values = column[COLUMNS.get(metric, metric)][keep]
    elif days == "all":
        keep = np.array([day <= data.today for day in window_days], dtype=bool)
        values = column[COLUMNS.get(metric, metric)][keep]
    else:
        values = column[COLUMNS.get(metric, metric)]
        keep = ~np.isnan(values)
        values = values[keep]
    return [day for day, kept in zip(window_days, keep, strict=True) if kept], values


def trend_of(data: UserDays, metric: str, period: str) -> dict[str, Any]:
    days, values = metric_series(data, metric)
    trend = robust_trend(days, values.tolist())
    return {
        "metric": metric, "period": period, "unit": METRICS[metric][0], "time_zone": str(data.window.zone),
        "series": [{"date": day.isoformat(), "value": round(value, 3)}
                   for day, value in zip(days, values.tolist(), strict=True)],
        "n": trend.n, "direction": trend.direction,
        "slope_per_day": None if trend.slope_per_day is None else round(trend.slope_per_day, 4),
        "slope_per_week": None if trend.slope_per_week is None else round(trend.slope_per_week, 4),
        "ci_per_week": None if trend.ci_per_week is None else [round(v, 4) for v in trend.ci_per_week],
        "confidence": CONFIDENCE,
    }


async def cached_trend(core: CoreReadRepository, cache: DashboardCache, user_id: uuid.UUID, metric: str,
                       period: str, now: datetime | None = None) -> bytes:
    """The trend's response body, from Redis when this generation of the user's data has it."""

    async def compute(at: datetime, zone_guess: ZoneInfo | None) -> tuple[UserDays, bytes]:
        data = await load_current(core, user_id, period, at, zone_guess, kinds={KIND[metric]})
        return data, response_body(TrendRead, trend_of(data, metric, period))

    body, _hit = await cached_view(cache, user_id, f"trend:{metric}:{period}", now, compute)
    return body
