"""Keeps ai's read model in step with core: one handler per lifecycle event, applied by record version."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.readmodel import repository
from fitjourney_ai.readmodel.models import (
    BodyWeight,
    CheckInEntry,
    FoodEntry,
    HabitEntry,
    MirroredMixin,
    Profile,
    WorkoutEntry,
)
from fitjourney_common.events.envelope import EventEnvelope

MirrorHandler = Callable[[AsyncSession, EventEnvelope], Awaitable[None]]


async def _local_date(session: AsyncSession, user_id: uuid.UUID, at: dt.datetime, dates: list[Any]) -> dt.date:
    """The user's calendar date of `at` (core names it in `dates`; with two, the profile's zone decides)."""
    if len(dates) == 1:
        return dt.date.fromisoformat(str(dates[0]))
    profile = await repository.profile(session, user_id)
    try:
        zone = ZoneInfo(profile.time_zone if profile else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return at.astimezone(zone).date()


def _timestamp(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _state(data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The record's figures after the change, or before it for a deletion (then True)."""
    if "after" in data and data["after"] is not None:
        return data["after"], False
    return data.get("before") or {}, True


def _mirror(model: type[MirroredMixin], key_field: str,
            fields: Callable[[dict[str, Any]], dict[str, Any]], timestamp_field: str | None = None) -> MirrorHandler:
    async def handle(session: AsyncSession, envelope: EventEnvelope) -> None:
        data = envelope.data
        user_id = uuid.UUID(str(data["user_id"]))
        state, deleted = _state(data)
        values = fields(state)
        if timestamp_field is not None:
            moment = _timestamp(state[timestamp_field])
            values[timestamp_field] = moment
            values["local_date"] = await _local_date(session, user_id, moment, data.get("dates") or [])
        key = uuid.UUID(str(data[key_field])) if key_field else user_id
        await repository.mirror(session, model, key, user_id, int(data.get("version", 1)), values, deleted=deleted)

    return handle


def _profile(s: dict[str, Any]) -> dict[str, Any]:
    birth = s.get("birth_date")
    return {"birth_date": dt.date.fromisoformat(str(birth)) if birth else None, "sex": s.get("sex"),
            "height_cm": s.get("height_cm"), "activity_level": s.get("activity_level") or "sedentary",
            "goal": s.get("goal") or "maintain", "target_weight_kg": s.get("target_weight_kg"),
            "weekly_rate_kg": s.get("weekly_rate_kg"), "time_zone": s.get("time_zone") or "UTC"}


def _food(s: dict[str, Any]) -> dict[str, Any]:
    return {name: float(s.get(name) or 0.0) for name in ("kcal", "protein_g", "carbs_g", "fat_g")}


def _workout(s: dict[str, Any]) -> dict[str, Any]:
    return {"activity": s["activity"], "duration_min": float(s["duration_min"]), "distance_km": s.get("distance_km"),
            "calories_burned": s.get("calories_burned")}


def _habit(s: dict[str, Any]) -> dict[str, Any]:
    return {"name": str(s.get("name", ""))[:200], "schedule": str(s.get("schedule", "daily"))[:64],
            "target_count": int(s.get("target_count") or 1)}


def _check_in(s: dict[str, Any]) -> dict[str, Any]:
    return {"habit_id": uuid.UUID(str(s["habit_id"])), "date": dt.date.fromisoformat(str(s["date"])),
            "count": int(s.get("count") or 0)}


_profile_handler = _mirror(Profile, "", _profile)
_weight_handler = _mirror(BodyWeight, "metric_id", lambda s: {"weight_kg": s.get("weight_kg")}, "measured_at")
_food_handler = _mirror(FoodEntry, "food_log_id", _food, "eaten_at")
_workout_handler = _mirror(WorkoutEntry, "workout_id", _workout, "started_at")
_habit_handler = _mirror(HabitEntry, "habit_id", _habit)
_check_in_handler = _mirror(CheckInEntry, "check_in_id", _check_in)

MIRROR_HANDLERS: dict[str, MirrorHandler] = {
    "profile.created": _profile_handler, "profile.updated": _profile_handler,
    **{f"body_metric.{verb}": _weight_handler for verb in ("created", "updated", "deleted")},
    **{f"food_log.{verb}": _food_handler for verb in ("created", "updated", "deleted")},
    **{f"workout.{verb}": _workout_handler for verb in ("created", "updated", "deleted")},
    **{f"habit.{verb}": _habit_handler for verb in ("created", "updated", "deleted")},
    **{f"check_in.{verb}": _check_in_handler for verb in ("created", "updated", "deleted")},
}
