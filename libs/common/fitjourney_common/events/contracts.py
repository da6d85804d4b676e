"""Every event type FitJourney publishes, defined once as a pydantic model of its `data`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from fitjourney_common.events.envelope import UtcDatetime

if TYPE_CHECKING:
    from fitjourney_common.events.envelope import EventEnvelope


class EventData(BaseModel):
    """Base of every contract; `event_type` is the routing key the data travels under."""

    # Tolerant reader: a consumer ignores fields a newer producer added (new_event rejects unknown ones).
    model_config = ConfigDict(extra="ignore")
    event_type: ClassVar[str]


class UserRegistered(EventData):
    event_type = "user.registered"
    user_id: uuid.UUID
    email: str
    display_name: str


class UserRolesChanged(EventData):
    event_type = "user.roles_changed"
    user_id: uuid.UUID
    roles: list[str]


class UserDeleted(EventData):
    event_type = "user.deleted"
    user_id: uuid.UUID


class _WorkoutData(EventData):
    workout_id: uuid.UUID
    user_id: uuid.UUID
    activity: str
    duration_min: float = Field(ge=0)
    distance_km: float | None = Field(default=None, ge=0)
    avg_heart_rate: int | None = Field(default=None, gt=0)
    perceived_effort: int | None = None
    started_at: UtcDatetime
    weight_kg: float | None = Field(default=None, gt=0)
    # Grows each time an edit makes the previous estimate stale; the estimator echoes it back.
    estimate_revision: int = Field(default=1, ge=1)


class WorkoutCreated(_WorkoutData):
    event_type = "workout.created"


class WorkoutUpdated(_WorkoutData):
    event_type = "workout.updated"


class WorkoutDeleted(EventData):
    event_type = "workout.deleted"
    workout_id: uuid.UUID
    user_id: uuid.UUID


class WorkoutCaloriesEstimated(EventData):
    event_type = "workout.calories_estimated"
    workout_id: uuid.UUID
    user_id: uuid.UUID
    calories_burned: float = Field(ge=0)
    method: str
    met: float | None = None
    # The `estimate_revision` of the workout event this answers; an answer to an older revision (the
    # workout was edited meanwhile) is ignored. None: applies to whatever revision is current.
    estimate_revision: int | None = Field(default=None, ge=1)


class FoodLogged(EventData):
    event_type = "food.logged"
    food_log_id: uuid.UUID
    user_id: uuid.UUID
    kcal: float = Field(ge=0)
    eaten_at: UtcDatetime
    meal: str


class FoodPhotoUploaded(EventData):
    event_type = "food.photo_uploaded"
    job_id: uuid.UUID
    user_id: uuid.UUID
    object_key: str
    content_type: str


class FoodCandidate(BaseModel):
    """One guess of the photo recogniser, with its nutrient estimate for the portion."""

    model_config = ConfigDict(extra="ignore")
    label: str
    confidence: float = Field(ge=0, le=1)
    grams: float = Field(ge=0)
    kcal: float = Field(ge=0)
    protein_g: float = Field(ge=0)
    carbs_g: float = Field(ge=0)
    fat_g: float = Field(ge=0)


class FoodPhotoRecognized(EventData):
    event_type = "food.photo_recognized"
    job_id: uuid.UUID
    user_id: uuid.UUID
    status: Literal["done", "unavailable", "failed"]
    candidates: list[FoodCandidate] = Field(default_factory=list)


class BodyMetricRecorded(EventData):
    event_type = "body_metric.recorded"
    metric_id: uuid.UUID
    user_id: uuid.UUID
    measured_at: UtcDatetime
    weight_kg: float | None = Field(default=None, gt=0)


class HabitCheckedIn(EventData):
    event_type = "habit.checked_in"
    habit_id: uuid.UUID
    user_id: uuid.UUID
    date: dt.date


class JournalWritten(EventData):
    event_type = "journal.written"
    entry_id: uuid.UUID
    user_id: uuid.UUID
    date: dt.date


class ExportReady(EventData):
    event_type = "export.ready"
    user_id: uuid.UUID
    object_key: str


EVENT_CONTRACTS: dict[str, type[EventData]] = {
    model.event_type: model
    for model in (
        UserRegistered, UserRolesChanged, UserDeleted,
        WorkoutCreated, WorkoutUpdated, WorkoutDeleted, WorkoutCaloriesEstimated,
        FoodLogged, FoodPhotoUploaded, FoodPhotoRecognized,
        BodyMetricRecorded, HabitCheckedIn, JournalWritten, ExportReady,
    )
}


def parse_data(envelope: EventEnvelope) -> EventData:
    """The envelope's `data` as its contract model; ValueError for an unknown type or invalid data."""
    contract = EVENT_CONTRACTS.get(envelope.type)
    if contract is None:
        raise ValueError(f"unknown event type {envelope.type!r}")
    return contract.model_validate(envelope.data)
