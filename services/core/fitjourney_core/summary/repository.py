"""The SQL behind a daily summary: sums over one user's local day, each in one query."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_core.food_logs.models import FoodLog
from fitjourney_core.foods.models import Food
from fitjourney_core.habits.models import Habit, HabitCheckIn
from fitjourney_core.workouts.models import Workout

# Logs of these names count as water too: custom foods, and logs whose food has since left the catalogue.
WATER_FOOD_NAMES = ("water", "sparkling water", "mineral water", "tap water")
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class FoodTotals:
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    water_ml: float


@dataclass(frozen=True)
class WorkoutTotals:
    count: int
    minutes: float
    # Estimated workouts: what they burned in all (gross), the net part of those whose MET is known, and
    # the gross energy and minutes of those without a MET (a heart-rate estimate), netted in the service.
    gross_kcal: float
    net_kcal_with_met: float
    gross_kcal_without_met: float
    minutes_without_met: float
    pending: int


async def food_totals(session: AsyncSession, user_id: uuid.UUID, start: datetime, end: datetime) -> FoodTotals:
    # Catalogue water foods (Water, SR28's tap and bottled waters) are flagged `is_water` by the import.
    is_water = or_(FoodLog.food_id.in_(select(Food.id).where(Food.is_water)),
                   func.lower(FoodLog.food_name).in_(WATER_FOOD_NAMES))
    query = select(
        func.coalesce(func.sum(FoodLog.kcal), 0.0),
        func.coalesce(func.sum(FoodLog.protein_g), 0.0),
        func.coalesce(func.sum(FoodLog.carbs_g), 0.0),
        func.coalesce(func.sum(FoodLog.fat_g), 0.0),
        func.coalesce(func.sum(case((is_water, FoodLog.grams), else_=0.0)), 0.0),
    ).where(
        FoodLog.user_id == user_id, FoodLog.deleted_at.is_(None),
        FoodLog.eaten_at >= start, FoodLog.eaten_at < end,
    )
    kcal, protein, carbs, fat, water = (await session.execute(query)).one()
    return FoodTotals(float(kcal), float(protein), float(carbs), float(fat), float(water))


async def workout_totals(
    session: AsyncSession, user_id: uuid.UUID, start: datetime, end: datetime,
) -> WorkoutTotals:
    estimated = Workout.calories_status == "estimated"
    with_met = and_(estimated, Workout.calories_met.is_not(None), Workout.calories_met > 1)
    without_met = and_(estimated, or_(Workout.calories_met.is_(None), Workout.calories_met <= 1))
    # Gross MET x kg x h includes the resting 1 MET already in BMR: the net part is gross x (MET - 1) / MET.
    net_with_met = Workout.calories_burned * (Workout.calories_met - 1.0) / Workout.calories_met
    query = select(
        func.count(Workout.id),
        func.coalesce(func.sum(Workout.duration_min), 0.0),
        func.coalesce(func.sum(case((estimated, Workout.calories_burned), else_=0.0)), 0.0),
        func.coalesce(func.sum(case((with_met, net_with_met), else_=0.0)), 0.0),
        func.coalesce(func.sum(case((without_met, Workout.calories_burned), else_=0.0)), 0.0),
        func.coalesce(func.sum(case((without_met, Workout.duration_min), else_=0.0)), 0.0),
        func.coalesce(func.sum(case((estimated, 0), else_=1)), 0),
    ).where(
        Workout.user_id == user_id, Workout.deleted_at.is_(None),
        Workout.started_at >= start, Workout.started_at < end,
    )
    count, minutes, gross, net_with, gross_without, minutes_without, pending = (await session.execute(query)).one()
    return WorkoutTotals(int(count), float(minutes), float(gross), float(net_with), float(gross_without),
                         float(minutes_without), int(pending))


async def habit_totals(session: AsyncSession, user_id: uuid.UUID, day: date, day_end: datetime) -> tuple[int, int]:
    """(done, scheduled): habits scheduled on `day` that existed by then, and those checked in to target."""
    weekday = WEEKDAY_CODES[day.weekday()]
    scheduled = and_(
        Habit.user_id == user_id, Habit.deleted_at.is_(None), Habit.created_at < day_end,
        or_(Habit.schedule == "daily", Habit.schedule.contains(weekday)),
    )
    met_target = and_(HabitCheckIn.id.is_not(None), HabitCheckIn.count >= Habit.target_count)
    query = (
        select(func.count(Habit.id), func.coalesce(func.sum(case((met_target, 1), else_=0)), 0))
        .select_from(Habit)
        .outerjoin(HabitCheckIn, and_(
            HabitCheckIn.habit_id == Habit.id, HabitCheckIn.user_id == user_id, HabitCheckIn.date == day,
            HabitCheckIn.deleted_at.is_(None),
        ))
        .where(scheduled)
    )
    scheduled_count, done = (await session.execute(query)).one()
    return int(done), int(scheduled_count)
