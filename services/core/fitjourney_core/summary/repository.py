"""The SQL behind a daily summary: one statement, built once at import, sums one user's local day (food,
workouts, habits) and reads the weight and body fat known at its end and the profile beside them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Uuid, and_, bindparam, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_core.body_metrics.models import BodyMetric
from fitjourney_core.body_metrics.repository import latest_of
from fitjourney_core.food_logs.models import FoodLog
from fitjourney_core.foods.models import CatalogueEntry
from fitjourney_core.habits.models import Habit, HabitCheckIn
from fitjourney_core.profile.models import Profile
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


@dataclass(frozen=True)
class DayTotals:
    food: FoodTotals
    workouts: WorkoutTotals
    habits_done: int
    habits_scheduled: int
    weight_kg: float | None
    body_fat_pct: float | None
    profile: Profile | None


_USER = bindparam("user_id", type_=Uuid)
_START = bindparam("start", type_=Workout.started_at.type)
_END = bindparam("end", type_=Workout.started_at.type)
_DAY = bindparam("day", type_=HabitCheckIn.date.type)
_WEEKDAY = bindparam("weekday", type_=Habit.schedule.type)


def _food_totals() -> Any:
    # Catalogue water foods (Water, SR28's tap and bottled waters) are flagged `is_water` by the import.
    is_water = or_(FoodLog.food_id.in_(select(CatalogueEntry.id).where(CatalogueEntry.is_water)),
                   func.lower(FoodLog.food_name).in_(WATER_FOOD_NAMES))
    return select(
        func.coalesce(func.sum(FoodLog.kcal), 0.0).label("kcal"),
        func.coalesce(func.sum(FoodLog.protein_g), 0.0).label("protein_g"),
        func.coalesce(func.sum(FoodLog.carbs_g), 0.0).label("carbs_g"),
        func.coalesce(func.sum(FoodLog.fat_g), 0.0).label("fat_g"),
        func.coalesce(func.sum(case((is_water, FoodLog.grams), else_=0.0)), 0.0).label("water_ml"),
    ).where(
        FoodLog.user_id == _USER, FoodLog.deleted_at.is_(None),
        FoodLog.eaten_at >= _START, FoodLog.eaten_at < _END,
    ).subquery("food")


def _workout_totals() -> Any:
    estimated = Workout.calories_status == "estimated"
    with_met = and_(estimated, Workout.calories_met.is_not(None), Workout.calories_met > 1)
    without_met = and_(estimated, or_(Workout.calories_met.is_(None), Workout.calories_met <= 1))
    # Gross MET x kg x h includes the resting 1 MET already in BMR: the net part is gross x (MET - 1) / MET.
    net_with_met = Workout.calories_burned * (Workout.calories_met - 1.0) / Workout.calories_met
    return select(
        func.count(Workout.id).label("workout_count"),
        func.coalesce(func.sum(Workout.duration_min), 0.0).label("minutes"),
        func.coalesce(func.sum(case((estimated, Workout.calories_burned), else_=0.0)), 0.0).label("gross"),
        func.coalesce(func.sum(case((with_met, net_with_met), else_=0.0)), 0.0).label("net_with_met"),
        func.coalesce(func.sum(case((without_met, Workout.calories_burned), else_=0.0)), 0.0)
        .label("gross_without_met"),
        func.coalesce(func.sum(case((without_met, Workout.duration_min), else_=0.0)), 0.0)
        .label("minutes_without_met"),
        func.coalesce(func.sum(case((estimated, 0), else_=1)), 0).label("pending"),
    ).where(
        Workout.user_id == _USER, Workout.deleted_at.is_(None),
        Workout.started_at >= _START, Workout.started_at < _END,
    ).subquery("workouts")


def _habit_totals() -> Any:
    """Habits scheduled on the day that existed by its end, and those checked in to target."""
    scheduled = and_(
        Habit.user_id == _USER, Habit.deleted_at.is_(None), Habit.created_at < _END,
        or_(Habit.schedule == "daily", Habit.schedule.contains(_WEEKDAY)),
    )
    met_target = and_(HabitCheckIn.id.is_not(None), HabitCheckIn.count >= Habit.target_count)
    return (
        select(func.count(Habit.id).label("scheduled"),
               func.coalesce(func.sum(case((met_target, 1), else_=0)), 0).label("done"))
        .select_from(Habit)
        .outerjoin(HabitCheckIn, and_(
            HabitCheckIn.habit_id == Habit.id, HabitCheckIn.user_id == _USER, HabitCheckIn.date == _DAY,
            HabitCheckIn.deleted_at.is_(None),
        ))
        .where(scheduled)
    ).subquery("habits")


def _day_totals() -> Any:
    # Each aggregate is one row, so joining them on true is one row; the profile may not exist yet.
    food, workouts, habits = _food_totals(), _workout_totals(), _habit_totals()
    return (
        select(
            food, workouts, habits,
            latest_of(BodyMetric.weight_kg, _USER, _END).scalar_subquery().label("weight_kg"),
            latest_of(BodyMetric.body_fat_pct, _USER, _END).scalar_subquery().label("body_fat_pct"),
            Profile,
        )
        .select_from(food)
        .join(workouts, true())
        .join(habits, true())
        .outerjoin(Profile, Profile.user_id == _USER)
    )


# Built once: constructing it per request cost more CPU than running it.
_DAY_TOTALS = _day_totals()


async def day_totals(
    session: AsyncSession, user_id: uuid.UUID, day: date, start: datetime, end: datetime,
) -> DayTotals:
    """One round trip for everything a summary of the user's local `day` ([start, end) in UTC) needs."""
    row = (await session.execute(_DAY_TOTALS, {
        "user_id": user_id, "start": start, "end": end, "day": day, "weekday": WEEKDAY_CODES[day.weekday()],
    })).one()
    return DayTotals(
        food=FoodTotals(float(row.kcal), float(row.protein_g), float(row.carbs_g), float(row.fat_g),
                        float(row.water_ml)),
        workouts=WorkoutTotals(int(row.workout_count), float(row.minutes), float(row.gross), float(row.net_with_met),
                               float(row.gross_without_met), float(row.minutes_without_met), int(row.pending)),
        habits_done=int(row.done), habits_scheduled=int(row.scheduled),
        weight_kg=row.weight_kg, body_fat_pct=row.body_fat_pct, profile=row.Profile,
    )
