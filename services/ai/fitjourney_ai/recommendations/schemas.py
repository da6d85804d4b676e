"""Shape of the recommendations endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RecommendationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str = Field(description="calorie_target, protein, rest_day, variety, activity, habit_streak")
    title: str
    why: str
    numbers: dict[str, Any]
    priority: int = Field(description="1 first")


class RecommendationList(BaseModel):
    as_of: dt.date
    items: list[RecommendationRead]
