"""Shape of the daily summary."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel


class DailySummary(BaseModel):
    """One local day of the user (their profile's time zone). Targets are null until the profile has
    what they need (see GET /profile `targets.missing`)."""

    date: date
    time_zone: str
    # Energy eaten (food logs).
    kcal_in: float
    # The day's food budget before exercise: BMR x the lifestyle (non-exercise) activity factor +- the
    # goal's rate (GET /profile `targets.kcal`).
    kcal_target: float | None
    # Net energy of the day's estimated workouts, (MET - 1) x kg x h: what exercise adds to the budget.
    # The resting 1 MET is left out because BMR already counts it, so exercise is never counted twice.
    exercise_kcal_net: float
    # What the estimated workouts burned in all (gross MET x kg x h), for display; not added to anything.
    exercise_kcal_gross: float
    # kcal_target + exercise_kcal_net.
    kcal_budget: float | None
    # kcal_budget - kcal_in: what is left to eat today (negative when over).
    kcal_remaining: float | None
    # How exercise enters the budget: always its net energy.
    exercise_energy: Literal["net_added_to_budget"] = "net_added_to_budget"
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
