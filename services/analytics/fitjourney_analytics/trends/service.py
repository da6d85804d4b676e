"""Which days count for each metric, and its robust trend."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pandas as pd

from fitjourney_analytics.compute.calendar import period_window
from fitjourney_analytics.compute.trend import CONFIDENCE, robust_trend
from fitjourney_analytics.coredata.repository import CoreReadRepository
from fitjourney_analytics.dashboard.cache import DashboardCache, response_body
from fitjourney_analytics.dashboard.service import UserDays, load_days, user_zone_today
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


def metric_series(data: UserDays, metric: str) -> pd.Series:
    daily = data.daily
    _, days = METRICS[metric]
    if metric == "habit_completion":
        due = daily[daily["habits_scheduled"] > 0]
        return (due["habits_done"] / due["habits_scheduled"]).astype(float)
    column = daily[COLUMNS.get(metric, metric)]
    if days == "logged":
        return column[daily["food_logs"] > 0]
    if days == "all":
        return column[[day <= data.today for day in daily.index]]
    return column.dropna()


def trend_of(data: UserDays, metric: str, period: str) -> dict[str, Any]:
    series = metric_series(data, metric)
    trend = robust_trend(list(series.index), series.tolist())
    return {
        "metric": metric, "period": period, "unit": METRICS[metric][0], "time_zone": str(data.window.zone),
        "series": [{"date": day.isoformat(), "value": round(float(value), 3)} for day, value in series.items()],
        "n": trend.n, "direction": trend.direction,
        "slope_per_day": None if trend.slope_per_day is None else round(trend.slope_per_day, 4),
        "slope_per_week": None if trend.slope_per_week is None else round(trend.slope_per_week, 4),
        "ci_per_week": None if trend.ci_per_week is None else [round(v, 4) for v in trend.ci_per_week],
        "confidence": CONFIDENCE,
    }


async def cached_trend(core: CoreReadRepository, cache: DashboardCache, user_id: uuid.UUID, metric: str,
                       period: str, now: datetime | None = None) -> bytes:
    """The trend's response body, from Redis when this generation of the user's data has it."""
    generation = await cache.generation(user_id)
    profile, zone, today = await user_zone_today(core, user_id, now)
    key = DashboardCache.key(user_id, generation or "-", f"trend:{metric}:{period}", today)

    async def compute() -> bytes:
        data = await load_days(core, user_id, period_window(period, today, zone), today, profile,
                               kinds={KIND[metric]})
        return response_body(TrendRead, trend_of(data, metric, period))

    body, _hit = await cache.answer(generation, key, compute)
    return body
