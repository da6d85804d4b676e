"""Daily summary: from the Redis cache when there, else computed from PostgreSQL and cached."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import ValidationError
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_core.local_time import day_bounds, local_today, zone_or_utc
from fitjourney_core.profile.repository import time_zone_of
from fitjourney_core.profile.service import targets_of
from fitjourney_core.summary import repository
from fitjourney_core.summary.schemas import DailySummary
from fitjourney_core.writes.summary_cache import (
    cache_daily_summary,
    cached_state,
    replay_missed_invalidations,
    summary_of,
)

# Weight assumed for a workout's resting energy when the user never recorded one (as the ai service does).
REFERENCE_WEIGHT_KG = 70.0


def exercise_net_kcal(workouts: repository.WorkoutTotals, weight_kg: float | None) -> float:
    """Net energy of the day's estimated workouts: (MET - 1) x kg x h, i.e. gross minus the resting energy
    that BMR already counts. Without a MET (a heart-rate estimate) the resting part is 1 kcal/kg/h."""
    resting = (weight_kg or REFERENCE_WEIGHT_KG) * workouts.minutes_without_met / 60.0
    return workouts.net_kcal_with_met + max(0.0, workouts.gross_kcal_without_met - resting)


async def compute_daily_summary(session: AsyncSession, user_id: uuid.UUID, day: date, time_zone: str) -> DailySummary:
    start, end = day_bounds(day, zone_or_utc(time_zone))
    totals = await repository.day_totals(session, user_id, day, start, end)
    food, workouts, weight = totals.food, totals.workouts, totals.weight_kg
    habits_done, habits_scheduled = totals.habits_done, totals.habits_scheduled
    targets = targets_of(totals.profile, weight, totals.body_fat_pct, day)
    exercise_net = round(exercise_net_kcal(workouts, weight), 1)
    kcal_in = round(food.kcal, 1)
    budget = None if targets.kcal is None else round(targets.kcal + exercise_net, 1)
    return DailySummary(
        date=day, time_zone=time_zone,
        kcal_in=kcal_in, kcal_target=targets.kcal, exercise_kcal_net=exercise_net,
        exercise_kcal_gross=round(workouts.gross_kcal, 1), kcal_budget=budget,
        kcal_remaining=None if budget is None else round(budget - kcal_in, 1),
        protein_g=round(food.protein_g, 1), protein_target_g=targets.protein_g,
        carbs_g=round(food.carbs_g, 1), carbs_target_g=targets.carbs_g,
        fat_g=round(food.fat_g, 1), fat_target_g=targets.fat_g,
        water_ml=round(food.water_ml), habits_done=habits_done, habits_scheduled=habits_scheduled,
        workouts=workouts.count, workout_minutes=round(workouts.minutes, 1), workouts_pending=workouts.pending,
        latest_weight_kg=weight,
    )


async def daily_summary(
    session: AsyncSession, redis: Redis, user_id: uuid.UUID, day: date | None, ttl_seconds: int,
) -> DailySummary:
    """Cache first; a miss or a Redis outage (the cache answers None, never raises) computes it.

    A hit needs no database at all: the user's time zone (which day is today) is cached beside their
    summaries, and a profile change (time zone, targets) drops it with every cached day of the user, so a
    cached summary always matches the current profile.
    """
    # A write during a Redis outage could not drop this user's cached days: until that is made up, skip them.
    unsure = user_id in await replay_missed_invalidations(redis)
    # Read before computing: a write committing meanwhile moves the generation, and this summary is then
    # not cached. The day's summary comes in the same round trip (for today: those of the days it may be).
    state = await cached_state(redis, user_id, None if unsure else day)
    generation, cached = state.generation, state.summary
    time_zone = None if unsure else state.zone
    if day is None:
        if time_zone is None:
            time_zone = await time_zone_of(session, user_id)
        day = local_today(zone_or_utc(time_zone))
        cached = None if unsure else await summary_of(redis, user_id, state, day)
    if cached is not None:
        try:
            return DailySummary.model_validate(cached)
        except ValidationError:
            pass  # written by an older release with another shape: recompute and overwrite
    if time_zone is None:
        time_zone = await time_zone_of(session, user_id)

    summary = await compute_daily_summary(session, user_id, day, time_zone)
    if generation is not None and not unsure:
        await cache_daily_summary(redis, user_id, day, summary.model_dump(mode="json"), ttl_seconds, generation,
                                  time_zone)
    return summary
