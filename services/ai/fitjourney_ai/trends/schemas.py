"""Shape of the trend endpoint."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class TrendRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    as_of: dt.date = Field(description="today in your time zone")
    window_days: int
    logged_days: int = Field(description="days with food logged, partial days left out")
    partial_days_excluded: int
    weigh_ins: int
    mean_intake_kcal: float | None
    weight_trend_kg_per_week: float | None = Field(description="robust slope (Theil-Sen) of your weigh-ins")
    smoothed_weight_kg: float | None
    estimated_expenditure_kcal: float | None = Field(description="intake - weight change x 7,700 kcal/kg")
    formula_maintenance_kcal: float | None = Field(description="Mifflin-St Jeor x activity factor")
    formula_target_kcal: float | None
    difference_from_formula_kcal: float | None
    goal_weight_kg: float | None
    goal_date: dt.date | None
    goal_status: str = Field(description="on track, not on track, reached, no goal weight, unknown")
    missing: list[str]
    explanation: list[str]
