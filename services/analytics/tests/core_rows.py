"""Puts rows into core's tables as the owner would (analytics never writes there): test fixtures only."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    delete,
)
from sqlalchemy.ext.asyncio import create_async_engine

from fitjourney_common.db.base import UtcDateTime
from fitjourney_common.db.engine import create_engine, is_sqlite

META = MetaData(schema="core")


def _table(name: str, *columns: Column[Any]) -> Table:
    return Table(name, META, Column("user_id", Uuid), Column("created_at", UtcDateTime()),
                 Column("deleted_at", UtcDateTime()), *columns)


PROFILES = Table("profiles", META, Column("user_id", Uuid), Column("time_zone", String), Column("birth_date", Date),
                 Column("sex", String), Column("height_cm", Float), Column("activity_level", String),
                 Column("goal", String), Column("weekly_rate_kg", Float), Column("units", String))
FOOD_LOGS = _table("food_logs", Column("id", Uuid), Column("eaten_at", UtcDateTime()), Column("food_name", String),
                   Column("grams", Float), Column("meal", String), Column("kcal", Float), Column("protein_g", Float),
                   Column("carbs_g", Float), Column("fat_g", Float), Column("fibre_g", Float), Column("source", String))
WORKOUTS = _table("workouts", Column("id", Uuid), Column("activity", String), Column("started_at", UtcDateTime()),
                  Column("duration_min", Float), Column("exercises", JSON), Column("calories_burned", Float),
                  Column("calories_status", String))
BODY_METRICS = _table("body_metrics", Column("id", Uuid), Column("measured_at", UtcDateTime()),
                      Column("weight_kg", Float), Column("body_fat_pct", Float))
HABITS = _table("habits", Column("id", Uuid), Column("name", String), Column("schedule", String),
                Column("target_count", Integer))
CHECK_INS = _table("habit_check_ins", Column("id", Uuid), Column("date", Date), Column("habit_id", Uuid),
                   Column("count", Integer))
JOURNAL = _table("journal_entries", Column("id", Uuid), Column("date", Date), Column("mood", Integer),
                 Column("energy", Integer), Column("text_encrypted", LargeBinary), Column("tags", JSON))


class CoreRows:
    """Inserts through SQLAlchemy types, so the same calls work on PostgreSQL and on SQLite (dev)."""

    def __init__(self, database_url: str) -> None:
        self.engine = (create_engine(database_url, "core") if is_sqlite(database_url)
                       else create_async_engine(database_url, pool_size=2))

    async def close(self) -> None:
        await self.engine.dispose()

    async def _insert(self, table: Table, **values: Any) -> uuid.UUID:
        if "id" in table.c and "id" not in values:
            values["id"] = uuid.uuid4()
        if "created_at" in table.c and values.get("created_at") is None:
            values.pop("created_at", None)
            values["created_at"] = datetime.now().astimezone()
        async with self.engine.begin() as connection:
            await connection.execute(table.insert().values(**values))
        return values.get("id", values.get("user_id"))  # type: ignore[no-any-return]

    async def profile(self, user_id: uuid.UUID, time_zone: str, **facts: Any) -> None:
        facts.setdefault("activity_level", "sedentary")
        facts.setdefault("goal", "maintain")
        await self._insert(PROFILES, user_id=user_id, time_zone=time_zone, units="metric", **facts)

    async def set_time_zone(self, user_id: uuid.UUID, time_zone: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(PROFILES.update().where(PROFILES.c.user_id == user_id).values(time_zone=time_zone))

    async def food(self, user_id: uuid.UUID, eaten_at: datetime, kcal: float, protein: float = 0, carbs: float = 0,
                   fat: float = 0, *, deleted_at: datetime | None = None, created_at: datetime | None = None,
                   ) -> uuid.UUID:
        return await self._insert(FOOD_LOGS, user_id=user_id, eaten_at=eaten_at, food_name="Fixture food",
                                  grams=100.0, meal="lunch", kcal=kcal, protein_g=protein, carbs_g=carbs, fat_g=fat,
                                  fibre_g=0.0, source="manual", deleted_at=deleted_at, created_at=created_at)

    async def workout(self, user_id: uuid.UUID, started_at: datetime, minutes: float, activity: str = "running",
                      kcal: float | None = None, *, created_at: datetime | None = None) -> uuid.UUID:
        return await self._insert(WORKOUTS, user_id=user_id, started_at=started_at, duration_min=minutes,
                                  activity=activity, exercises=[], calories_burned=kcal,
                                  calories_status="estimated" if kcal is not None else "pending",
                                  created_at=created_at)

    async def body_metric(self, user_id: uuid.UUID, measured_at: datetime, weight_kg: float | None = None,
                          body_fat_pct: float | None = None, *, created_at: datetime | None = None) -> uuid.UUID:
        return await self._insert(BODY_METRICS, user_id=user_id, measured_at=measured_at, weight_kg=weight_kg,
                                  body_fat_pct=body_fat_pct, created_at=created_at)

    async def habit(self, user_id: uuid.UUID, name: str, schedule: str, target_count: int, created_at: datetime,
                    ) -> uuid.UUID:
        return await self._insert(HABITS, user_id=user_id, name=name, schedule=schedule, target_count=target_count,
                                  created_at=created_at)

    async def check_in(self, user_id: uuid.UUID, habit_id: uuid.UUID, day: date, count: int = 1,
                       *, created_at: datetime | None = None) -> uuid.UUID:
        return await self._insert(CHECK_INS, user_id=user_id, habit_id=habit_id, date=day, count=count,
                                  created_at=created_at)

    async def journal(self, user_id: uuid.UUID, day: date, mood: int | None, energy: int | None,
                      *, created_at: datetime | None = None) -> uuid.UUID:
        return await self._insert(JOURNAL, user_id=user_id, date=day, mood=mood, energy=energy,
                                  text_encrypted=b"\x00", tags=[], created_at=created_at)

    async def delete_user(self, user_id: uuid.UUID) -> None:
        async with self.engine.begin() as connection:
            for table in (PROFILES, FOOD_LOGS, WORKOUTS, BODY_METRICS, HABITS, CHECK_INS, JOURNAL):
                await connection.execute(delete(table).where(table.c.user_id == user_id))
