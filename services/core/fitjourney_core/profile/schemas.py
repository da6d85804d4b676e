"""Request and response shapes of the profile."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fitjourney_common.fitness.targets import age_on
from fitjourney_common.text import refers_to
from fitjourney_core.schemas import ReadModel, RequestModel, UtcDatetime

Sex = Literal["male", "female"]
ActivityLevel = Literal["sedentary", "light", "moderate", "active", "very_active"]
Goal = Literal["lose", "maintain", "gain"]
Units = Literal["metric", "imperial"]
MIN_AGE, MAX_AGE = 13, 120


def valid_time_zone(value: str) -> str:
    if value == "UTC":
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("is not an IANA time zone, e.g. Europe/Paris") from exc
    if value not in available_timezones():
        raise ValueError("is not an IANA time zone, e.g. Europe/Paris")
    return value


class ProfileUpdate(RequestModel):
    """The profile's fields: PATCH merges them (fields left out stay, `null` clears an optional one), PUT
    replaces the whole profile (fields left out return to a new profile's defaults).

    With imperial units, send `height_in`, `target_weight_lb`, `weekly_rate_lb` instead of the metric
    fields (never both); values are converted and stored metric.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "display_name": "Ada", "birth_date": "1990-04-01", "sex": "female", "height_cm": 168,
        "activity_level": "moderate", "goal": "lose", "target_weight_kg": 60, "weekly_rate_kg": 0.5,
        "units": "metric", "time_zone": "Europe/Berlin"}]})

    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    birth_date: date | None = None
    sex: Sex | None = None
    height_cm: float | None = Field(default=None, ge=100, le=250)
    height_in: float | None = Field(default=None, ge=39.4, le=98.4)
    activity_level: ActivityLevel | None = None
    goal: Goal | None = None
    target_weight_kg: float | None = Field(default=None, ge=30, le=300)
    target_weight_lb: float | None = Field(default=None, ge=66, le=661)
    weekly_rate_kg: float | None = Field(default=None, ge=0, le=1.0)
    weekly_rate_lb: float | None = Field(default=None, ge=0, le=2.2)
    units: Units | None = None
    time_zone: Annotated[str, refers_to("the IANA time-zone database")] | None = Field(
        default=None, min_length=1, max_length=64)

    @field_validator("birth_date")
    @classmethod
    def _plausible_age(cls, value: date | None) -> date | None:
        if value is None:
            return value
        age = age_on(value, datetime.now(UTC).date())
        if not MIN_AGE <= age <= MAX_AGE:
            raise ValueError(f"means an age of {age}; FitJourney is for ages {MIN_AGE} to {MAX_AGE}")
        return value

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str | None) -> str | None:
        return None if value is None else valid_time_zone(value)

    @field_validator("activity_level", "goal", "units", "time_zone", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null")
        return value

    @model_validator(mode="after")
    def _one_unit_per_quantity(self) -> ProfileUpdate:
        for metric, imperial in (("height_cm", "height_in"), ("target_weight_kg", "target_weight_lb"),
                                 ("weekly_rate_kg", "weekly_rate_lb")):
            if metric in self.model_fields_set and imperial in self.model_fields_set:
                raise ValueError(f"send {metric} or {imperial}, not both")
        return self


class TargetsRead(BaseModel):
    """Daily targets; null while the profile lacks what they need (see `missing`). `kcal` is Mifflin-St Jeor
    BMR x the activity level's factor (daily life without workouts) +- the goal's rate; the daily summary
    adds logged workouts' net energy on top. Macros add up to `kcal` (4/4/9 kcal per g)."""

    kcal: float | None = None
    protein_g: float | None = None
    carbs_g: float | None = None
    fat_g: float | None = None
    bmr_kcal: float | None = None
    # What protein is counted per kg of: lean mass (body fat known, 2.2 g/kg), the body weight (1.8 g/kg),
    # or the weight at BMI 25 when BMI is above 30 (1.8 g/kg).
    protein_basis: Literal["body_weight", "weight_at_bmi_25", "lean_mass"] | None = None
    protein_reference_kg: float | None = None
    missing: list[str] = Field(default_factory=list)


class ImperialRead(BaseModel):
    """The same quantities in the user's imperial units (present when `units` is imperial)."""

    height_in: float | None
    target_weight_lb: float | None
    weekly_rate_lb: float | None
    latest_weight_lb: float | None


class ProfileRead(ReadModel):
    user_id: uuid.UUID
    display_name: str | None
    birth_date: date | None
    age: int | None
    sex: Sex | None
    height_cm: float | None
    activity_level: ActivityLevel
    goal: Goal
    target_weight_kg: float | None
    weekly_rate_kg: float | None
    units: Units
    time_zone: str
    avatar_url: str | None
    targets: TargetsRead
    bmi: float | None
    latest_weight_kg: float | None
    imperial: ImperialRead | None
    version: int
    updated_at: UtcDatetime


class AvatarRead(BaseModel):
    avatar_url: str
    expires_in: int
