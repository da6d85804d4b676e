"""Recommendation rules: the trend, protein, training and habits of a user, turned into suggestions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.calories.compendium import activities
from fitjourney_ai.readmodel import repository
from fitjourney_ai.recommendations.compute import WEEKDAYS, HabitState, WorkoutDay, recommend
from fitjourney_ai.recommendations.schemas import RecommendationList, RecommendationRead
from fitjourney_ai.trends.service import trend_report
from fitjourney_ai.trends.targets import formula_targets

HABIT_HISTORY_DAYS = 120
WORKOUT_DAYS = 14


def parse_schedule(schedule: str) -> tuple[str, ...]:
    """Core's habit schedule: "daily" or weekdays like "mon,wed,fri"."""
    if schedule.strip().lower() == "daily":
        return WEEKDAYS
    days = {part.strip().lower()[:3] for part in schedule.split(",")}
    return tuple(day for day in WEEKDAYS if day in days)


async def recommendations_for(session: AsyncSession, user_id: uuid.UUID) -> RecommendationList:
    report, profile, food = await trend_report(session, user_id)
    today = report.as_of
    weight = report.smoothed_weight_kg
    if weight is None:
        weigh_ins = await repository.weigh_ins(session, user_id, today - dt.timedelta(days=90), today)
        weight = weigh_ins[-1][1] if weigh_ins else None
    targets = formula_targets(profile, weight, today) if profile is not None and weight is not None else None
    catalogue = activities()
    workouts = [
        WorkoutDay(w.local_date, catalogue[w.activity].category if w.activity in catalogue else "other", w.duration_min)
        for w in await repository.workouts(session, user_id, today - dt.timedelta(days=WORKOUT_DAYS - 1), today)
        if w.local_date is not None
    ]
    check_ins = await repository.check_ins(session, user_id, today - dt.timedelta(days=HABIT_HISTORY_DAYS), today)
    habits = [
        HabitState(str(h.id), h.name, parse_schedule(h.schedule),
                   frozenset(c.date for c in check_ins if c.habit_id == h.id and c.count >= h.target_count))
        for h in await repository.habits(session, user_id)
    ]
    found = recommend(
        trend=report, protein_target_g=targets.protein_g if targets else None,
        daily_protein_g={day: protein for day, (_, protein) in food.items()}, workouts=workouts, habits=habits,
        today=today,
    )
    return RecommendationList(as_of=today, items=[RecommendationRead.model_validate(r) for r in found])
