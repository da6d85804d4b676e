"""Shapes of the calorie-estimate endpoint."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fitjourney_common.text import TextRequestModel, refers_to
from fitjourney_common.timestamps import Moment


class CalorieEstimateRequest(TextRequestModel):
    model_config = ConfigDict(extra="forbid")

    activity: Annotated[str, refers_to("the activity catalogue, GET /api/v1/activities")] = Field(
        min_length=1, max_length=64, examples=["running"])
    duration_min: float = Field(gt=0, le=24 * 60)
    distance_km: float | None = Field(default=None, ge=0, le=1000)
    avg_heart_rate: int | None = Field(default=None, ge=30, le=250)
    weight_kg: float | None = Field(default=None, ge=20, le=400,
                                    description="defaults to your latest weighing before started_at")
    started_at: Moment | None = Field(default=None, description="defaults to now")


class CalorieEstimateRead(BaseModel):
    gross_kcal: float = Field(description="MET x kg x h (includes resting energy)")
    net_kcal: float = Field(description="(MET - 1) x kg x h: on top of resting energy")
    method: str = Field(description="compendium_met, compendium_met_speed or keytel_2005_hr")
    met: float
    weight_kg: float
    weight_source: str = Field(description="given, body_metric, workout_event or reference")
    activity: str
    compendium_codes: list[str]
    speed_kmh: float | None = None
    notes: list[str]
