"""SQL of ai's read model: mirror rows by version, and the per-user reads the analyses need."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def mirror(session: AsyncSession, model: type[MirroredMixin], key: uuid.UUID, user_id: uuid.UUID,
                 version: int, values: dict[str, Any], *, deleted: bool = False) -> bool:
    """Insert or update the copy of a core record unless a newer version is already here; False if stale."""
    key_column = "user_id" if model is Profile else "id"
    row = (await session.execute(
        select(model).where(getattr(model, key_column) == key).with_for_update())).scalar_one_or_none()
    if row is None:
        identity = {"user_id": user_id} if model is Profile else {"id": key, "user_id": user_id}
        make_row: Any = model  # a mapped class; the mixin alone does not tell mypy its constructor
        session.add(make_row(**identity, version=version, deleted=deleted, **values))
        await session.flush()
        return True
    if row.user_id != user_id or row.version > version:
        return False
    for name, value in values.items():
        setattr(row, name, value)
    row.version, row.deleted = version, deleted
    await session.flush()
    return True


async def profile(session: AsyncSession, user_id: uuid.UUID) -> Profile | None:
    return (await session.execute(
        select(Profile).where(Profile.user_id == user_id, Profile.deleted.is_(False)))).scalar_one_or_none()


async def weight_at(session: AsyncSession, user_id: uuid.UUID, at: dt.datetime) -> float | None:
    """The latest weighing at or before `at`."""
    return (await session.execute(
        select(BodyWeight.weight_kg)
        .where(BodyWeight.user_id == user_id, BodyWeight.deleted.is_(False), BodyWeight.weight_kg.is_not(None),
               BodyWeight.measured_at <= at)
        .order_by(BodyWeight.measured_at.desc()).limit(1))).scalar_one_or_none()


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


async def save_estimate(session: AsyncSession, values: dict[str, Any]) -> None:
    row = await session.get(CalorieEstimateRecord, values["workout_id"], with_for_update=True)
    if row is None:
        session.add(CalorieEstimateRecord(**values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    await session.flush()


async def save_recognition(session: AsyncSession, values: dict[str, Any]) -> None:
    row = await session.get(PhotoRecognition, values["job_id"], with_for_update=True)
    if row is None:
        session.add(PhotoRecognition(**values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    await session.flush()


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
