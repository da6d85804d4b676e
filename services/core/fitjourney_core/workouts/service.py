"""Workout rules: create (once per client id), update with If-Match, soft delete, calorie estimates."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.pagination import ListParams, Page
from fitjourney_common.events.contracts import (
    WorkoutCaloriesEstimated,
    WorkoutCreated,
    WorkoutDeleted,
    WorkoutState,
    WorkoutUpdated,
)
from fitjourney_core.pagination import next_cursor
from fitjourney_core.portability import plain_exporter
from fitjourney_core.shared import check_if_match, existing_for_replay, flush_new, get_owned_or_404, tombstone
from fitjourney_core.workouts import repository
from fitjourney_core.workouts.models import Workout
from fitjourney_core.workouts.schemas import WorkoutCreate, WorkoutRead, WorkoutUpdate
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.service import ResourceKind

WORKOUTS = ResourceKind(
    name="workout", model=Workout, id_field="workout_id", state=WorkoutState,
    events={"created": WorkoutCreated, "updated": WorkoutUpdated, "deleted": WorkoutDeleted},
    day_field="started_at",
)
# Changing any of these makes the calorie estimate stale: it goes back to pending until re-estimated.
ESTIMATE_INPUTS = frozenset({"activity", "started_at", "duration_min", "distance_km", "avg_heart_rate",
                             "perceived_effort"})

WORKOUTS_EXPORT = plain_exporter("workouts", Workout)


def to_read(workout: Workout) -> WorkoutRead:
    return WorkoutRead.model_validate(workout)


async def _estimate_inputs(session: AsyncSession, workout: Workout, *, needed: bool,
                           weight_and_zone: tuple[float | None, str | None] | None = None) -> dict[str, Any]:
    # The estimator needs a weight; the latest one the user recorded is the best we know. The time zone comes
    # with it in the same query (or the create's insert), for the write path that follows.
    weight, zone = weight_and_zone or await repository.latest_weight_and_time_zone(session, workout.user_id)
    writes.remember_time_zone(session, workout.user_id, zone or "UTC")
    return {
        "activity": workout.activity, "duration_min": workout.duration_min, "distance_km": workout.distance_km,
        "avg_heart_rate": workout.avg_heart_rate, "perceived_effort": workout.perceived_effort,
        "started_at": workout.started_at, "weight_kg": weight,
        "estimate_revision": workout.estimate_revision, "estimate_needed": needed,
    }


async def create_workout(
    session: AsyncSession, user_id: uuid.UUID, data: WorkoutCreate,
) -> tuple[WorkoutRead, bool]:
    """The workout and whether it was created now (False: a replay of a create already applied)."""
    existing = await existing_for_replay(session, Workout, data.id, user_id)
    if existing is not None:
        return to_read(existing), False
    workout = Workout(
        id=data.id or uuid.uuid4(), user_id=user_id, activity=data.activity, started_at=data.started_at,
        duration_min=data.duration_min, distance_km=data.distance_km, avg_heart_rate=data.avg_heart_rate,
        perceived_effort=data.perceived_effort, notes=data.notes,
        exercises=[exercise.model_dump() for exercise in data.exercises],
        calories_burned=None, calories_status="pending", estimate_revision=1, version=1,
    )
    # Inserted in the round trip that reads the weight and time zone the write path needs next.
    weight, zone = await flush_new(session, workout, along=repository.WEIGHT_AND_TIME_ZONE_ROW,
                                   along_values={"along_user_id": user_id})
    read = to_read(workout)
    await writes.created(session, WORKOUTS, workout, payload=read.model_dump(mode="json"),
                         extra=await _estimate_inputs(session, workout, needed=True, weight_and_zone=(weight, zone)))
    return read, True


async def list_workouts(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Page[WorkoutRead]:
    rows, cursor = next_cursor(list(await repository.list_for_user(session, user_id, params)), params.limit,
                               "started_at")
    return Page[WorkoutRead](items=[to_read(row) for row in rows], next_cursor=cursor)


async def get_workout(session: AsyncSession, user_id: uuid.UUID, workout_id: uuid.UUID) -> WorkoutRead:
    return to_read(await get_owned_or_404(session, Workout, workout_id, user_id))


async def update_workout(
    session: AsyncSession, user_id: uuid.UUID, workout_id: uuid.UUID, data: WorkoutUpdate,
    if_match: str | None,
) -> WorkoutRead:
    workout = await get_owned_or_404(session, Workout, workout_id, user_id)
    check_if_match(if_match, workout.version)
    # Only the fields sent, each whole: `exclude_unset` would also drop the defaults inside the exercises
    # (an exercise sent without `sets`), storing them incomplete.
    changes = data.model_dump(include=set(data.model_fields_set))
    if not changes:
        return to_read(workout)
    before = WORKOUTS.snapshot(workout)
    for field, value in changes.items():
        setattr(workout, field, value)
    needs_estimate = bool(ESTIMATE_INPUTS.intersection(changes))
    if needs_estimate:
        workout.calories_burned, workout.calories_status = None, "pending"
        workout.calories_method = workout.calories_met = workout.calories_net = None
        workout.calories_notes = []
        workout.estimate_revision += 1
    workout.version += 1
    workout.updated_at = utcnow()
    await session.flush()
    read = to_read(workout)
    # Only a change the estimate depends on asks the AI service again (notes or exercises do not).
    await writes.updated(session, WORKOUTS, workout, before, payload=read.model_dump(mode="json"),
                         extra=await _estimate_inputs(session, workout, needed=needs_estimate))
    return read


async def delete_workout(
    session: AsyncSession, user_id: uuid.UUID, workout_id: uuid.UUID, if_match: str | None,
) -> None:
    workout = await get_owned_or_404(session, Workout, workout_id, user_id)
    await tombstone(session, WORKOUTS, workout, if_match)


async def apply_calorie_estimate(session: AsyncSession, estimate: WorkoutCaloriesEstimated) -> Workout | None:
    """Store the AI service's estimate; None when the workout is gone (deleted meanwhile) or was edited
    since the estimate was asked for (events may arrive out of order; the newer answer is on its way)."""
    found = await repository.find_live_with_weight_and_time_zone(session, estimate.user_id, estimate.workout_id)
    if found is None:
        return None
    workout, weight, zone = found
    if estimate.estimate_revision is not None and estimate.estimate_revision != workout.estimate_revision:
        return None
    calories, method = round(estimate.calories_burned, 1), estimate.method[:64]
    net = round(estimate.net_calories, 1) if estimate.net_calories is not None else None
    answer = ("estimated", calories, method, net, list(estimate.notes))
    if (workout.calories_status, workout.calories_burned, workout.calories_method, workout.calories_net,
            workout.calories_notes) == answer:
        return None  # the same answer again (e.g. to an event that asked for no estimate): nothing changes
    before = WORKOUTS.snapshot(workout)
    await repository.apply_estimate(session, workout, {
        "calories_burned": calories, "calories_status": "estimated", "calories_method": method,
        "calories_met": estimate.met, "calories_net": net, "calories_notes": list(estimate.notes),
        "version": workout.version + 1, "updated_at": utcnow()})
    await writes.updated(session, WORKOUTS, workout, before, payload=to_read(workout).model_dump(mode="json"),
                         extra=await _estimate_inputs(session, workout, needed=False, weight_and_zone=(weight, zone)))
    return workout
