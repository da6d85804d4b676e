"""Every event type FitJourney publishes, defined once as a pydantic model of its `data`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from fitjourney_common.events.timestamps import UtcDatetime


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


# --- the lifecycle of core's user-owned resources -------------------------------------------------
# Every resource emits `<resource>.created|updated|deleted` from core's one write path. Each event names
# the user, the record's version, the user's local calendar dates the change touches (both the old and
# the new one when a record moves), and the record's figures before and/or after, so a consumer keeps
# a read model (e.g. a day's kcal) by subtracting `before` and adding `after`, without asking core.


class ResourceState(BaseModel):
    """The figures of a record a consumer may sum or show (no free text beyond names)."""

    model_config = ConfigDict(extra="ignore", from_attributes=True)


class ResourceEvent(EventData):
    user_id: uuid.UUID
    version: int = Field(ge=1)
    dates: list[dt.date] = Field(default_factory=list)


StateT = TypeVar("StateT", bound=ResourceState)


class Created(ResourceEvent, Generic[StateT]):
    after: StateT


class Updated(ResourceEvent, Generic[StateT]):
    before: StateT
    after: StateT


class Deleted(ResourceEvent, Generic[StateT]):
    before: StateT


class WorkoutState(ResourceState):
    started_at: UtcDatetime
    activity: str
    duration_min: float
    distance_km: float | None = None
    calories_burned: float | None = None
    calories_status: str = "pending"


class _WorkoutEstimateInputs(BaseModel):
    """What the calorie estimator needs, flat on workout.created/updated (older consumers read these)."""

    workout_id: uuid.UUID
    activity: str
    duration_min: float = Field(ge=0)
    distance_km: float | None = Field(default=None, ge=0)
    avg_heart_rate: int | None = Field(default=None, gt=0)
    perceived_effort: int | None = None
    started_at: UtcDatetime
    weight_kg: float | None = Field(default=None, gt=0)
    # Grows each time an edit makes the previous estimate stale; the estimator echoes it back.
    estimate_revision: int = Field(default=1, ge=1)
    # False when nothing the estimate depends on changed (notes, or the estimate itself arriving):
    # an estimator answers only events with True, so its own answer does not ask it again.
    estimate_needed: bool = True


class WorkoutCreated(Created[WorkoutState], _WorkoutEstimateInputs):
    event_type = "workout.created"


class WorkoutUpdated(Updated[WorkoutState], _WorkoutEstimateInputs):
    event_type = "workout.updated"


class WorkoutDeleted(Deleted[WorkoutState]):
    event_type = "workout.deleted"
    workout_id: uuid.UUID


class WorkoutCaloriesEstimated(EventData):
    event_type = "workout.calories_estimated"
    workout_id: uuid.UUID
    user_id: uuid.UUID
    calories_burned: float = Field(ge=0)
    # Gross above includes the resting 1 MET; net leaves it out ((MET - 1) x kg x h), for summaries
    # whose target already counts resting energy.
    net_calories: float | None = Field(default=None, ge=0)
    method: str
    met: float | None = None
    # Why the method or the figures are what they are (e.g. a heart rate outside Keytel's range, a speed
    # beyond the Compendium's table, a reference weight), for the user.
    notes: list[Annotated[str, Field(max_length=300)]] = Field(default_factory=list, max_length=10)
    # The `estimate_revision` of the workout event this answers; an answer to an older revision (the
    # workout was edited meanwhile) is ignored. None: applies to whatever revision is current.
    estimate_revision: int | None = Field(default=None, ge=1)


class FoodLogState(ResourceState):
    eaten_at: UtcDatetime
    meal: str
    food_id: uuid.UUID | None = None
    food_name: str
    grams: float
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float = 0.0
    source: str = "manual"


class FoodLogCreated(Created[FoodLogState]):
    event_type = "food_log.created"
    food_log_id: uuid.UUID


class FoodLogUpdated(Updated[FoodLogState]):
    event_type = "food_log.updated"
    food_log_id: uuid.UUID


class FoodLogDeleted(Deleted[FoodLogState]):
    event_type = "food_log.deleted"
    food_log_id: uuid.UUID


class CustomFoodState(ResourceState):
    name: str
    kcal_per_100g: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float = 0.0


class CustomFoodCreated(Created[CustomFoodState]):
    event_type = "custom_food.created"
    food_id: uuid.UUID


class CustomFoodUpdated(Updated[CustomFoodState]):
    event_type = "custom_food.updated"
    food_id: uuid.UUID


class CustomFoodDeleted(Deleted[CustomFoodState]):
    event_type = "custom_food.deleted"
    food_id: uuid.UUID


class PhotoJobState(ResourceState):
    status: str
    content_type: str


class FoodPhotoUploaded(Created[PhotoJobState]):
    """The photo job's creation: the AI service recognises the photo at `object_key`."""

    event_type = "food.photo_uploaded"
    job_id: uuid.UUID
    object_key: str
    content_type: str


class PhotoJobUpdated(Updated[PhotoJobState]):
    event_type = "photo_job.updated"
    job_id: uuid.UUID


class FoodCandidate(BaseModel):
    """One guess of the photo recogniser, with its nutrient estimate for the portion."""

    model_config = ConfigDict(extra="ignore")
    label: str
    confidence: float = Field(ge=0, le=1)
    # The catalogue food the label names, e.g. "SR28:18301" (USDA NDB number), when there is one.
    source_id: str | None = None
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
    # Why there are no candidates (unavailable / failed), for the user; and which model answered.
    reason: str | None = Field(default=None, max_length=500)
    model_version: str | None = Field(default=None, max_length=100)


class BodyMetricState(ResourceState):
    measured_at: UtcDatetime
    weight_kg: float | None = None
    body_fat_pct: float | None = None
    waist_cm: float | None = None
    hip_cm: float | None = None
    chest_cm: float | None = None
    resting_hr: int | None = None


class BodyMetricCreated(Created[BodyMetricState]):
    event_type = "body_metric.created"
    metric_id: uuid.UUID


class BodyMetricUpdated(Updated[BodyMetricState]):
    event_type = "body_metric.updated"
    metric_id: uuid.UUID


class BodyMetricDeleted(Deleted[BodyMetricState]):
    event_type = "body_metric.deleted"
    metric_id: uuid.UUID


class HabitState(ResourceState):
    name: str
    schedule: str  # "daily" or weekdays "mon,wed,fri"
    target_count: int


class HabitCreated(Created[HabitState]):
    event_type = "habit.created"
    habit_id: uuid.UUID


class HabitUpdated(Updated[HabitState]):
    event_type = "habit.updated"
    habit_id: uuid.UUID


class HabitDeleted(Deleted[HabitState]):
    event_type = "habit.deleted"
    habit_id: uuid.UUID


class CheckInState(ResourceState):
    habit_id: uuid.UUID
    date: dt.date
    count: int


class CheckInCreated(Created[CheckInState]):
    event_type = "check_in.created"
    check_in_id: uuid.UUID


class CheckInUpdated(Updated[CheckInState]):
    event_type = "check_in.updated"
    check_in_id: uuid.UUID


class CheckInDeleted(Deleted[CheckInState]):
    event_type = "check_in.deleted"
    check_in_id: uuid.UUID


class JournalState(ResourceState):
    """Without the text: events are stored and relayed in plain JSON, the text is kept encrypted."""

    date: dt.date
    mood: int | None = None
    energy: int | None = None
    tags: list[str] = Field(default_factory=list)


class JournalCreated(Created[JournalState]):
    event_type = "journal.created"
    entry_id: uuid.UUID


class JournalUpdated(Updated[JournalState]):
    event_type = "journal.updated"
    entry_id: uuid.UUID


class JournalDeleted(Deleted[JournalState]):
    event_type = "journal.deleted"
    entry_id: uuid.UUID


class ProfileState(ResourceState):
    display_name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    height_cm: float | None = None
    activity_level: str
    goal: str
    target_weight_kg: float | None = None
    weekly_rate_kg: float | None = None
    units: str
    time_zone: str


class ProfileCreated(Created[ProfileState]):
    event_type = "profile.created"


class ProfileUpdated(Updated[ProfileState]):
    event_type = "profile.updated"


class ObjectsEraseRequested(EventData):
    """A service asks its own worker to delete a user's stored objects, retried until done: published
    through the outbox in the transaction that erased the user's rows, so it cannot be lost."""

    event_type = "objects.erase_requested"
    user_id: uuid.UUID
    prefixes: list[str] = Field(min_length=1)


class ExportReady(EventData):
    event_type = "export.ready"
    user_id: uuid.UUID
    object_key: str


class UserExportRequested(EventData):
    """Core asks every service holding the user's data for its part of one export (`fitjourney_common.gdpr`)."""

    event_type = "user.export_requested"
    export_id: uuid.UUID
    user_id: uuid.UUID


class UserExportPartReady(EventData):
    """A service's part of an export: its tables, one list of records (column -> value) per table."""

    event_type = "user.export_part_ready"
    export_id: uuid.UUID
    user_id: uuid.UUID
    service: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_-]*$")
    tables: dict[str, list[dict[str, Any]]]


class UserErasureCompleted(EventData):
    """A service deleted every row and object of the user it held (core records it in its audit log)."""

    event_type = "user.erasure_completed"
    user_id: uuid.UUID
    service: str = Field(min_length=1, max_length=40)
    rows: int = Field(ge=0)
    objects: int = Field(default=0, ge=0)


class ReportRequested(EventData):
    """Analytics asks its own worker to build a report off the request path."""

    event_type = "report.requested"
    report_id: uuid.UUID
    user_id: uuid.UUID


class ReportReady(EventData):
    """A report is built and stored; core tells the user's WebSocket (`{"type": "report.ready", ...}`)."""

    event_type = "report.ready"
    report_id: uuid.UUID
    user_id: uuid.UUID
    format: Literal["csv", "pdf"]


EVENT_CONTRACTS: dict[str, type[EventData]] = {
    model.event_type: model
    for model in (
        UserRegistered, UserRolesChanged, UserDeleted,
        WorkoutCreated, WorkoutUpdated, WorkoutDeleted, WorkoutCaloriesEstimated,
        FoodLogCreated, FoodLogUpdated, FoodLogDeleted,
        CustomFoodCreated, CustomFoodUpdated, CustomFoodDeleted,
        FoodPhotoUploaded, PhotoJobUpdated, FoodPhotoRecognized,
        BodyMetricCreated, BodyMetricUpdated, BodyMetricDeleted,
        HabitCreated, HabitUpdated, HabitDeleted,
        CheckInCreated, CheckInUpdated, CheckInDeleted,
        JournalCreated, JournalUpdated, JournalDeleted,
        ProfileCreated, ProfileUpdated,
        ObjectsEraseRequested, ExportReady,
        UserExportRequested, UserExportPartReady, UserErasureCompleted, ReportRequested, ReportReady,
    )
}
