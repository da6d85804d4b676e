"""SQL of habits and check-ins."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Date, Uuid, bindparam, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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


_USER, _HABIT, _DAY = bindparam("user_id", type_=Uuid), bindparam("habit_id", type_=Uuid), bindparam("day", type_=Date)
# POST …/check-ins' first query, built once (PostgreSQL): the live habit and, beside it, its row of the day,
# locked as `check_in_on` locks it (a lateral subquery: FOR UPDATE may not reach the nullable side of an
# outer join).
_DAY_ROW = select(HabitCheckIn).where(
    HabitCheckIn.user_id == _USER, HabitCheckIn.habit_id == Habit.id, HabitCheckIn.date == _DAY,
).with_for_update().subquery().lateral()
_HABIT_WITH_DAY_ROW = select(Habit, aliased(HabitCheckIn, _DAY_ROW)).outerjoin(_DAY_ROW, true()).where(
    Habit.id == _HABIT, Habit.user_id == _USER, Habit.deleted_at.is_(None))


async def habit_with_check_in_on(
    session: AsyncSession, user_id: uuid.UUID, habit_id: uuid.UUID, day: date,
) -> tuple[Habit, HabitCheckIn | None] | None:
    """The user's live habit and its check-in row for `day` (as `check_in_on`), None without the habit: one
    round trip on PostgreSQL."""
    if session.get_bind().dialect.name != "postgresql":
        habit = (await session.scalars(select(Habit).where(
            Habit.id == habit_id, Habit.user_id == user_id, Habit.deleted_at.is_(None)))).first()
        return None if habit is None else (habit, await check_in_on(session, user_id, habit.id, day))
    row = (await session.execute(_HABIT_WITH_DAY_ROW, {"user_id": user_id, "habit_id": habit_id, "day": day})).first()
    return None if row is None else (row[0], row[1])


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
