"""Request and response shapes of habits and their check-ins."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from fitjourney_common.fitness.streaks import DAILY, WEEKDAYS
from fitjourney_core.schemas import PastDate, ReadModel, RequestModel, UtcDatetime

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _schedule(value: str | list[str]) -> str | list[str]:
    """"daily", or unique weekdays returned in week order."""
    if value == DAILY:
        return value
    if isinstance(value, str) or not value:
        raise ValueError('must be "daily" or a non-empty list of weekdays (mon..sun)')
    if any(day not in WEEKDAYS for day in value):
        raise ValueError(f"weekdays must be among {', '.join(WEEKDAYS)}")
    if len(set(value)) != len(value):
        raise ValueError("weekdays must not repeat")
    return sorted(value, key=WEEKDAYS.index)


ScheduleIn = Annotated[str | list[str], AfterValidator(_schedule)]


class HabitCreate(RequestModel):
    id: uuid.UUID | None = None
    name: str = Field(min_length=1, max_length=100)
    schedule: ScheduleIn = "daily"
    target_count: int = Field(default=1, ge=1, le=100, description="Check-ins a day needs to count as done")


class HabitUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    schedule: ScheduleIn | None = None  # type: ignore[assignment]
    target_count: int | None = Field(default=None, ge=1, le=100)


class HabitRead(ReadModel):
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
    """A second check-in for the same date replaces that date's count."""

    id: uuid.UUID | None = None
    date: PastDate
    count: int = Field(default=1, ge=1, le=1000)


class CheckInRead(ReadModel):
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
