"""Response model of the business metrics."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class BusinessMetricsRead(BaseModel):
    """UTC days. `workouts.completion_rate`: share of the range's active users who completed a workout;
    `food_logging.days_per_user_per_week`: days with a food log per logging user and week;
    `retention`: per weekly sign-up cohort, the share active in week 0, 1, 2, ... after signing up."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    active_users: dict[str, Any]
    workouts: dict[str, Any]
    food_logging: dict[str, Any]
    new_users: dict[str, Any]
    retention: list[dict[str, Any]]
