"""Request and response models of the trends endpoint."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

MetricParam = Literal["weight", "body_fat", "kcal_in", "kcal_out", "protein_g", "carbs_g", "fat_g",
                      "workout_minutes", "workouts", "mood", "energy", "habit_completion"]


class TrendPoint(BaseModel):
    date: str
    value: float


class TrendRead(BaseModel):
    """`series` holds the days that have a value for the metric (see the README for which days count);
    the slope is Theil-Sen's, its interval two-sided at `confidence`; `direction` is up or down only
    when the whole interval is on that side of zero."""

    metric: MetricParam
    period: str
    unit: str
    time_zone: str
    series: list[TrendPoint]
    n: int
    direction: Literal["up", "down", "flat", "unknown"]
    slope_per_day: float | None
    slope_per_week: float | None
    ci_per_week: list[float] | None
    confidence: float
