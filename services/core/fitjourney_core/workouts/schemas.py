"""Request and response shapes of workouts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator

from fitjourney_common.text import MultiLineText, refers_to
from fitjourney_core.activities.catalogue import find_activity
from fitjourney_core.schemas import PastMoment, ReadModel, RequestModel, UtcDatetime

MAX_DURATION_MIN = 24 * 60  # a single workout longer than a day is a typo, not an ultra
ActivityCode = Annotated[str, refers_to("the activity catalogue, GET /api/v1/activities")]


class SetIn(RequestModel):
    reps: int = Field(ge=1, le=1000)
    weight_kg: float | None = Field(default=None, ge=0, le=1000)


class ExerciseIn(RequestModel):
    name: str = Field(min_length=1, max_length=100)
    sets: list[SetIn] = Field(default_factory=list, max_length=100)


def _known_activity(code: str) -> str:
    if find_activity(code) is None:
        raise ValueError("is not in the activity catalogue (GET /api/v1/activities)")
    return code


class WorkoutCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "activity": "running", "started_at": "2026-11-25T06:00:00Z", "duration_min": 30, "distance_km": 5,
        "avg_heart_rate": 150, "perceived_effort": 6, "notes": "Easy 5 k along the river"}]})

    # Offline clients generate the id, so a replayed create is recognised and applied once.
    id: uuid.UUID | None = None
    activity: ActivityCode = Field(min_length=1, max_length=64)
    started_at: PastMoment
    duration_min: float = Field(ge=1, le=MAX_DURATION_MIN)
    distance_km: float | None = Field(default=None, ge=0, le=1000)
    avg_heart_rate: int | None = Field(default=None, ge=25, le=250)
    perceived_effort: int | None = Field(default=None, ge=1, le=10)
    notes: MultiLineText | None = Field(default=None, max_length=2000)
    exercises: list[ExerciseIn] = Field(default_factory=list, max_length=50)

    _activity = field_validator("activity")(_known_activity)


class WorkoutUpdate(RequestModel):
    """Only the fields sent change; `null` clears an optional field."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"duration_min": 35, "notes": "Felt strong"}]})
    activity: ActivityCode | None = Field(default=None, min_length=1, max_length=64)
    started_at: PastMoment | None = None
    duration_min: float | None = Field(default=None, ge=1, le=MAX_DURATION_MIN)
    distance_km: float | None = Field(default=None, ge=0, le=1000)
    avg_heart_rate: int | None = Field(default=None, ge=25, le=250)
    perceived_effort: int | None = Field(default=None, ge=1, le=10)
    notes: MultiLineText | None = Field(default=None, max_length=2000)
    exercises: list[ExerciseIn] | None = Field(default=None, max_length=50)

    @field_validator("activity", "started_at", "duration_min", "exercises", mode="before")
    @classmethod
    def _required_if_sent(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value

    @field_validator("activity")
    @classmethod
    def _activity(cls, value: str | None) -> str | None:
        return None if value is None else _known_activity(value)


class SetRead(ReadModel):
    reps: int
    weight_kg: float | None = None


class ExerciseRead(ReadModel):
    name: str
    sets: list[SetRead]


class WorkoutRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "0b6c4a44-1f59-4c37-9d0e-4b8f5f0b8c11", "activity": "running", "started_at": "2026-11-25T06:00:00Z",
        "duration_min": 30.0, "distance_km": 5.0, "avg_heart_rate": 150, "perceived_effort": 6,
        "notes": "Easy 5 k along the river", "exercises": [], "calories_burned": 320.5,
        "calories_status": "estimated", "calories_method": "compendium_met", "calories_net": 287.8,
        "calories_notes": [], "version": 2, "created_at": "2026-11-25T06:31:02Z",
        "updated_at": "2026-11-25T06:31:03Z"}]})

    id: uuid.UUID
    activity: str
    started_at: UtcDatetime
    duration_min: float
    distance_km: float | None
    avg_heart_rate: int | None
    perceived_effort: int | None
    notes: str | None
    exercises: list[ExerciseRead]
    calories_burned: float | None
    calories_status: Literal["pending", "estimated"]
    calories_method: str | None = Field(description=(
        "How `calories_burned` was estimated, e.g. `compendium_met` (MET x kg x h), `compendium_met_speed` (the "
        "MET interpolated by speed) or `keytel_2005_hr` (heart rate); null while pending"))
    calories_net: float | None = Field(default=None, description=(
        "Net kcal, the energy above resting ((MET - 1) x kg x h); null while pending"))
    calories_notes: list[str] = Field(default_factory=list, description=(
        "Why the estimate is what it is, for the user (e.g. a heart rate outside the equation's range, a "
        "reference weight because none was logged)"))
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime
