"""Request and response shapes of body metrics."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from fitjourney_core.schemas import PastMoment, ReadModel, RequestModel, UtcDatetime

MEASUREMENTS = ("weight_kg", "body_fat_pct", "waist_cm", "hip_cm", "chest_cm", "resting_hr")


class BodyMetricCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "measured_at": "2026-11-25T07:00:00Z", "weight_kg": 66.5, "body_fat_pct": 24.0}]})

    id: uuid.UUID | None = None
    measured_at: PastMoment
    weight_kg: float | None = Field(default=None, ge=20, le=400)
    body_fat_pct: float | None = Field(default=None, ge=2, le=75)
    waist_cm: float | None = Field(default=None, ge=30, le=300)
    hip_cm: float | None = Field(default=None, ge=30, le=300)
    chest_cm: float | None = Field(default=None, ge=30, le=300)
    resting_hr: int | None = Field(default=None, ge=25, le=220)

    @model_validator(mode="after")
    def _measures_something(self) -> BodyMetricCreate:
        if all(getattr(self, name) is None for name in MEASUREMENTS):
            raise ValueError(f"send at least one of {', '.join(MEASUREMENTS)}")
        return self


class BodyMetricUpdate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"weight_kg": 66.3}]})

    measured_at: PastMoment | None = None
    weight_kg: float | None = Field(default=None, ge=20, le=400)
    body_fat_pct: float | None = Field(default=None, ge=2, le=75)
    waist_cm: float | None = Field(default=None, ge=30, le=300)
    hip_cm: float | None = Field(default=None, ge=30, le=300)
    chest_cm: float | None = Field(default=None, ge=30, le=300)
    resting_hr: int | None = Field(default=None, ge=25, le=220)

    @field_validator("measured_at", mode="before")
    @classmethod
    def _required_if_sent(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value


class BodyMetricRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "6f1d3b0e-8a41-4e55-9a57-2f7a1c9e0d21", "measured_at": "2026-11-25T07:00:00Z", "weight_kg": 66.5,
        "body_fat_pct": 24.0, "waist_cm": 72.0, "hip_cm": 98.0, "chest_cm": 90.0, "resting_hr": 58, "version": 1,
        "created_at": "2026-11-25T07:00:05Z", "updated_at": "2026-11-25T07:00:05Z"}]})

    id: uuid.UUID
    measured_at: UtcDatetime
    weight_kg: float | None
    body_fat_pct: float | None
    waist_cm: float | None
    hip_cm: float | None
    chest_cm: float | None
    resting_hr: int | None
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime
