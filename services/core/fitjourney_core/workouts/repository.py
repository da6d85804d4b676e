"""SQL of workouts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, Select, Table, Uuid, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from fitjourney_common.db.pagination import ListParams
from fitjourney_core.body_metrics.models import BodyMetric
from fitjourney_core.body_metrics.repository import latest_of
from fitjourney_core.pagination import newest_first_page
from fitjourney_core.profile.models import Profile
from fitjourney_core.workouts.models import Workout

_USER = bindparam("user_id", type_=Uuid)
# The first page of the list (no dates, no cursor: what the app asks most), built once.
_FIRST_PAGE = (select(Workout).where(Workout.user_id == _USER, Workout.deleted_at.is_(None))
               .order_by(Workout.started_at.desc(), Workout.id.desc()).limit(bindparam("limit", type_=Integer)))


async def list_for_user(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Sequence[Workout]:
    if params.from_ is None and params.to is None and params.cursor is None:
        return (await session.scalars(_FIRST_PAGE, {"user_id": user_id, "limit": params.limit + 1})).all()
    query = select(Workout).where(Workout.user_id == user_id, Workout.deleted_at.is_(None))
    return (await session.scalars(newest_first_page(query, Workout.started_at, Workout.id, params))).all()


async def find_live_with_weight_and_time_zone(
    session: AsyncSession, user_id: uuid.UUID, workout_id: uuid.UUID,
) -> tuple[Workout, float | None, str | None] | None:
    """The live workout with `latest_weight_and_time_zone_query`'s answer, which its update needs next, in one
    round trip; None when there is no such workout (or it is deleted)."""
    row = (await session.execute(_LIVE_WITH_WEIGHT_AND_TIME_ZONE, {"user_id": user_id, "workout_id": workout_id})
           ).first()
    return None if row is None else (row[0], row[1], row[2])


def latest_weight_and_time_zone_query(user_id: uuid.UUID | Any) -> Select[Any]:
    """The user's latest weight (the calorie estimate needs it) and time zone (the write path places the
    workout on their calendar with it), as one row; the zone is None until they set one."""
    zone = select(Profile.time_zone).where(Profile.user_id == user_id).scalar_subquery()
    return select(latest_of(BodyMetric.weight_kg, user_id).scalar_subquery(), zone)


# The same, built once, bound as `along_user_id`: what a create runs in its insert's round trip.
WEIGHT_AND_TIME_ZONE_ROW = latest_weight_and_time_zone_query(bindparam("along_user_id", type_=Uuid))


def _live_with_weight_and_time_zone() -> Select[Any]:
    weight, zone = latest_weight_and_time_zone_query(_USER).selected_columns
    return select(Workout, weight, zone).where(
        Workout.id == bindparam("workout_id", type_=Uuid), Workout.user_id == _USER, Workout.deleted_at.is_(None))


# Built once (an applied estimate, in core's worker, ran it built per event): bound as `user_id`, `workout_id`.
_LIVE_WITH_WEIGHT_AND_TIME_ZONE = _live_with_weight_and_time_zone()


async def latest_weight_and_time_zone(session: AsyncSession, user_id: uuid.UUID) -> tuple[float | None, str | None]:
    """`latest_weight_and_time_zone_query`'s answer, in one round trip."""
    weight, zone = (await session.execute(latest_weight_and_time_zone_query(user_id))).one()
    return weight, zone


_ESTIMATE_COLUMNS = ("calories_burned", "calories_status", "calories_method", "calories_met", "calories_net",
                     "calories_notes", "version", "updated_at")
_WORKOUTS: Table = Workout.__table__  # type: ignore[assignment]
_APPLY_ESTIMATE = update(_WORKOUTS).where(_WORKOUTS.c.id == bindparam("workout_id", type_=Uuid)).values(
    {name: bindparam(name, type_=_WORKOUTS.c[name].type) for name in _ESTIMATE_COLUMNS})


async def apply_estimate(session: AsyncSession, workout: Workout, values: dict[str, Any]) -> None:
    """Write an estimate's columns (`_ESTIMATE_COLUMNS`, all given) by a statement built once, then set them on
    `workout` as the row now holds them (nothing left to flush): the ORM's flush of the same UPDATE, in core's
    worker for every estimate, cost more CPU than the statement."""
    await session.execute(_APPLY_ESTIMATE, {"workout_id": workout.id, **values})
    for name, value in values.items():
        set_committed_value(workout, name, value)
