"""Request and response shapes of habits and their check-ins."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from fitjourney_common.fitness.streaks import DAILY, WEEKDAYS
from fitjourney_core.schemas import PastDate, ReadModel, RequestModel, UtcDatetime

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _schedule(value: object) -> object:
    """"daily", or unique weekdays returned in week order."""
    if value == DAILY:
        return value
    if not isinstance(value, list) or not value:
        raise ValueError('must be "daily" or a non-empty list of weekdays (mon..sun)')
    if any(day not in WEEKDAYS for day in value):
        raise ValueError(f"weekdays must be among {', '.join(WEEKDAYS)}")
    if len(set(value)) != len(value):
        raise ValueError("weekdays must not repeat")
    return sorted(value, key=WEEKDAYS.index)


# Checked before the type, so a wrong schedule hears the rule in one message; the type documents the shape.
ScheduleIn = Annotated[Literal["daily"] | list[Weekday], BeforeValidator(_schedule)]


class HabitCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Stretch", "schedule": ["mon", "wed", "fri"], "target_count": 1}]})

    id: uuid.UUID | None = None
    name: str = Field(min_length=1, max_length=100)
    schedule: ScheduleIn = "daily"
    target_count: int = Field(default=1, ge=1, le=100, description="Check-ins a day needs to count as done")


class HabitUpdate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"target_count": 2}]})

    name: str | None = Field(default=None, min_length=1, max_length=100)
    schedule: ScheduleIn | None = None  # type: ignore[assignment]
    target_count: int | None = Field(default=None, ge=1, le=100)


class HabitRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "3c9a2f5e-7b1d-4f0a-8e6c-5d4b3a2f1e09", "name": "Stretch", "schedule": ["mon", "wed", "fri"],
        "target_count": 1, "current_streak": 3, "longest_streak": 7, "done_today": False, "version": 1,
        "created_at": "2026-11-20T09:00:00Z", "updated_at": "2026-11-20T09:00:00Z"}]})

    id: uuid.UUID
    name: str
    schedule: Literal["daily"] | list[Weekday]
    target_count: int
    current_streak: int
    longest_streak: int
    done_today: bool
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime


class HabitPage(BaseModel):
    items: list[HabitRead]
    next_cursor: str | None = None


class CheckInCreate(RequestModel):
    """`count` is how many times the habit was done that date. A second check-in for the same date SETS
    that date's count (it does not add to it), so a replayed or repeated check-in never double counts.
    The date must be one of the habit's scheduled weekdays (else 422)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"date": "2026-11-25", "count": 1}]})
    id: uuid.UUID | None = None
    date: PastDate
    count: int = Field(default=1, ge=1, le=1000)


class CheckInRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "9e8d7c6b-5a49-4837-a261-0f1e2d3c4b5a", "habit_id": "3c9a2f5e-7b1d-4f0a-8e6c-5d4b3a2f1e09",
        "date": "2026-11-25", "count": 1, "version": 1, "created_at": "2026-11-25T20:00:00Z",
        "updated_at": "2026-11-25T20:00:00Z"}]})

    id: uuid.UUID
    habit_id: uuid.UUID
    date: date
    count: int
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime


class CheckInPage(BaseModel):
    items: list[CheckInRead]
    next_cursor: str | None = None
