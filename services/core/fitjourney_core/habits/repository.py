"""SQL of habits and check-ins."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.pagination import ListParams
from fitjourney_core.habits.models import Habit, HabitCheckIn
from fitjourney_core.pagination import newest_first_by_date, newest_first_page


async def list_habits(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Sequence[Habit]:
    query = select(Habit).where(Habit.user_id == user_id, Habit.deleted_at.is_(None))
    return (await session.scalars(newest_first_page(query, Habit.created_at, Habit.id, params))).all()


async def counts_by_habit(
    session: AsyncSession, user_id: uuid.UUID, habit_ids: Sequence[uuid.UUID],
) -> dict[uuid.UUID, dict[date, int]]:
    """Every live check-in count of these habits, by habit and date (the streaks' whole history)."""
    if not habit_ids:
        return {}
    query = select(HabitCheckIn.habit_id, HabitCheckIn.date, HabitCheckIn.count).where(
        HabitCheckIn.user_id == user_id, HabitCheckIn.deleted_at.is_(None), HabitCheckIn.habit_id.in_(habit_ids))
    counts: dict[uuid.UUID, dict[date, int]] = defaultdict(dict)
    for habit_id, day, count in (await session.execute(query)).all():
        counts[habit_id][day] = count
    return counts


async def check_in_on(
    session: AsyncSession, user_id: uuid.UUID, habit_id: uuid.UUID, day: date,
) -> HabitCheckIn | None:
    """The habit's check-in row for `day`, live or deleted (one row per habit and date, ever)."""
    query = select(HabitCheckIn).where(
        HabitCheckIn.user_id == user_id, HabitCheckIn.habit_id == habit_id, HabitCheckIn.date == day)
    return (await session.scalars(query.with_for_update())).first()


async def check_in_by_id(session: AsyncSession, user_id: uuid.UUID, check_in_id: uuid.UUID) -> HabitCheckIn | None:
    query = select(HabitCheckIn).where(HabitCheckIn.user_id == user_id, HabitCheckIn.id == check_in_id)
    return (await session.scalars(query)).first()


async def list_check_ins(
    session: AsyncSession, user_id: uuid.UUID, habit_id: uuid.UUID, params: ListParams,
) -> Sequence[HabitCheckIn]:
    """Newest date first; `from`/`to` and the cursor work on calendar dates."""
    query = select(HabitCheckIn).where(HabitCheckIn.user_id == user_id, HabitCheckIn.habit_id == habit_id,
                                       HabitCheckIn.deleted_at.is_(None))
    page = newest_first_by_date(query, HabitCheckIn.date, HabitCheckIn.id, params)
    return (await session.scalars(page)).all()
