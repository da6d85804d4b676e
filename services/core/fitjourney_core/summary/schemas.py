"""Shape of the daily summary."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class DailySummary(BaseModel):
    """One local day of the user (their profile's time zone). Targets are null until the profile has
    what they need (see GET /profile `targets.missing`)."""

    date: date
    time_zone: str
    kcal_in: float
    kcal_out: float
    kcal_net: float
    kcal_target: float | None
    # Target minus net: what is left to eat today (negative when over).
    kcal_remaining: float | None
    protein_g: float
    protein_target_g: float | None
    carbs_g: float
    carbs_target_g: float | None
    fat_g: float
    fat_target_g: float | None
    # Food logs of the catalogue's water foods (1 g = 1 ml).
    water_ml: float
    habits_done: int
    habits_scheduled: int
    workouts: int
    workout_minutes: float
    # Workouts still waiting for their calorie estimate (not counted in kcal_out yet).
    workouts_pending: int
    latest_weight_kg: float | None
