"""SQL of ai's read model: mirror rows by version, and the per-user reads the analyses need."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.db import OutboxMessage
from fitjourney_ai.models import USER_TABLES
from fitjourney_ai.readmodel.models import (
    BodyWeight,
    CalorieEstimateRecord,
    CheckInEntry,
    FoodEntry,
    HabitEntry,
    MirroredMixin,
    PhotoRecognition,
    Profile,
    WorkoutEntry,
)
from fitjourney_common.db.base import utcnow
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.events.outbox import insert_event_with


@functools.cache
def _upsert_statement(table: Table, dialect: str, key_column: str, overwrite: tuple[str, ...], *,
                      versioned: bool = False) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE SET `overwrite` (and updated_at), RETURNING the key; with
    `versioned`, only over a row of the same user and an older or equal version (else no row comes back).

    Built once per shape and run with the values as parameters: built per event, SQLAlchemy's coercions and
    cache key cost more CPU than the round trip the upsert saves."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    where = None
    if versioned:
        where = (table.c.user_id == insert.excluded.user_id) & (table.c.version <= insert.excluded.version)
    return insert.on_conflict_do_update(
        index_elements=[key_column], set_={name: insert.excluded[name] for name in (*overwrite, "updated_at")},
        where=where,
    ).returning(table.c[key_column])


async def _upsert(session: AsyncSession, model: type[Any], key_column: str, values: dict[str, Any],
                  overwrite: tuple[str, ...], *, versioned: bool = False) -> bool:
    """One statement; False when `versioned` left the row as it was. Created and updated_at: their defaults."""
    statement = _upsert_statement(model.__table__, session.get_bind().dialect.name, key_column, overwrite,
                                  versioned=versioned)
    return (await session.execute(statement, values)).first() is not None


async def mirror(session: AsyncSession, model: type[MirroredMixin], key: uuid.UUID, user_id: uuid.UUID,
                 version: int, values: dict[str, Any], *, deleted: bool = False) -> bool:
    """Insert or update the copy of a core record unless a newer version is already here; False if stale
    (or the id is another user's). One upsert: a read-then-write was two round trips and the ORM's work."""
    key_column = "user_id" if model is Profile else "id"
    identity = {"user_id": user_id} if model is Profile else {"id": key, "user_id": user_id}
    return await _upsert(session, model, key_column, {**identity, "version": version, "deleted": deleted, **values},
                         (*values, "version", "deleted"), versioned=True)


async def profile(session: AsyncSession, user_id: uuid.UUID) -> Profile | None:
    return (await session.execute(
        select(Profile).where(Profile.user_id == user_id, Profile.deleted.is_(False)))).scalar_one_or_none()


def _weight_at(user_id: Any, at: Any) -> Any:
    """The latest weighing at or before `at`."""
    return (select(BodyWeight.weight_kg)
            .where(BodyWeight.user_id == user_id, BodyWeight.deleted.is_(False), BodyWeight.weight_kg.is_not(None),
                   BodyWeight.measured_at <= at)
            .order_by(BodyWeight.measured_at.desc()).limit(1))


@dataclass(frozen=True)
class EstimateBasis:
    """What a calorie estimate reads about its user: the weight at the workout's time, birth date and sex."""

    weight_kg: float | None
    birth_date: dt.date | None
    sex: str | None


def _live_profile(column: Any) -> Any:
    return (select(column).where(Profile.user_id == bindparam("user_id"), Profile.deleted.is_(False))
            .scalar_subquery())


# Built once: one row whether or not the user has a weighing or a profile (each a scalar subquery).
_ESTIMATE_BASIS = select(
    _weight_at(bindparam("user_id"), bindparam("at")).scalar_subquery(),
    _live_profile(Profile.birth_date), _live_profile(Profile.sex),
)


async def estimate_basis(session: AsyncSession, user_id: uuid.UUID, at: dt.datetime) -> EstimateBasis:
    """The weight at `at` and the profile's birth date and sex, in one round trip."""
    weight, birth_date, sex = (await session.execute(_ESTIMATE_BASIS, {"user_id": user_id, "at": at})).one()
    return EstimateBasis(weight_kg=weight, birth_date=birth_date, sex=sex)


async def weigh_ins(session: AsyncSession, user_id: uuid.UUID, start: dt.date, end: dt.date,
                    ) -> list[tuple[dt.date, float]]:
    rows = await session.execute(
        select(BodyWeight.local_date, BodyWeight.weight_kg)
        .where(BodyWeight.user_id == user_id, BodyWeight.deleted.is_(False), BodyWeight.weight_kg.is_not(None),
               BodyWeight.local_date.between(start, end))
        .order_by(BodyWeight.measured_at))
    return [(day, weight) for day, weight in rows.all() if day is not None and weight is not None]


async def daily_food(session: AsyncSession, user_id: uuid.UUID, start: dt.date, end: dt.date,
                     ) -> dict[dt.date, tuple[float, float]]:
    """Per local date: (kcal, protein g) of the food logged that day."""
    rows = await session.execute(
        select(FoodEntry.local_date, func.sum(FoodEntry.kcal), func.sum(FoodEntry.protein_g))
        .where(FoodEntry.user_id == user_id, FoodEntry.deleted.is_(False), FoodEntry.local_date.between(start, end))
        .group_by(FoodEntry.local_date))
    return {day: (float(kcal or 0), float(protein or 0)) for day, kcal, protein in rows.all() if day is not None}


async def workouts(session: AsyncSession, user_id: uuid.UUID, start: dt.date, end: dt.date) -> list[WorkoutEntry]:
    return list((await session.execute(
        select(WorkoutEntry)
        .where(WorkoutEntry.user_id == user_id, WorkoutEntry.deleted.is_(False),
               WorkoutEntry.local_date.between(start, end))
        .order_by(WorkoutEntry.started_at))).scalars())


async def habits(session: AsyncSession, user_id: uuid.UUID) -> list[HabitEntry]:
    return list((await session.execute(
        select(HabitEntry).where(HabitEntry.user_id == user_id, HabitEntry.deleted.is_(False)))).scalars())


async def check_ins(session: AsyncSession, user_id: uuid.UUID, start: dt.date, end: dt.date) -> list[CheckInEntry]:
    return list((await session.execute(
        select(CheckInEntry)
        .where(CheckInEntry.user_id == user_id, CheckInEntry.deleted.is_(False), CheckInEntry.count > 0,
               CheckInEntry.date.between(start, end)))).scalars())


async def save_estimate(session: AsyncSession, values: dict[str, Any], announce: EventEnvelope) -> None:
    """Keep the estimate and put `announce` in the outbox: one statement on PostgreSQL."""
    now = utcnow()
    values = {**values, "created_at": now, "updated_at": now}
    statement = _bound_upsert_statement(CalorieEstimateRecord.__table__, session.get_bind().dialect.name,
                                        "workout_id", tuple(values))
    await insert_event_with(session, OutboxMessage, announce, statement, values)


@functools.cache
def _bound_upsert_statement(table: Table, dialect: str, key_column: str, columns: tuple[str, ...]) -> Any:
    """`_upsert_statement` with its values as bind parameters named after `columns` (all of them given, timestamps
    too): so it can run inside another statement (a writable CTE), where defaults would not be filled in."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in columns})
    return insert.on_conflict_do_update(
        index_elements=[key_column],
        set_={name: insert.excluded[name] for name in columns if name not in (key_column, "created_at")},
    ).returning(table.c[key_column])


async def save_recognition(session: AsyncSession, values: dict[str, Any]) -> None:
    await _upsert(session, PhotoRecognition, "job_id", values, tuple(name for name in values if name != "job_id"))


async def erase_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    removed = 0
    for table in USER_TABLES:
        result = await session.execute(delete(table).where(table.user_id == user_id))
        removed += result.rowcount or 0  # type: ignore[attr-defined]
    return removed


async def rows_of_user(session: AsyncSession, user_id: uuid.UUID) -> dict[str, list[Any]]:
    """Every row ai holds about the user, per table (for the GDPR export)."""
    return {table.__tablename__: list((await session.execute(
        select(table).where(table.user_id == user_id))).scalars()) for table in USER_TABLES}
