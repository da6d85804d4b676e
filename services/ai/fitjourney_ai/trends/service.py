"""Trend rules: gather a user's last weeks from ai's read model and compute the energy balance off the loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.readmodel import repository
from fitjourney_ai.readmodel.models import Profile as ProfileRow
from fitjourney_ai.shared import user_today
from fitjourney_ai.trends.compute import WINDOW_DAYS, TrendReport, WeighIn, compute_trend
from fitjourney_ai.trends.schemas import TrendRead
from fitjourney_ai.trends.targets import Profile


def to_profile(row: ProfileRow | None) -> Profile | None:
    if row is None:
        return None
    return Profile(birth_date=row.birth_date, sex=row.sex, height_cm=row.height_cm,
                   activity_level=row.activity_level, goal=row.goal, target_weight_kg=row.target_weight_kg,
                   weekly_rate_kg=row.weekly_rate_kg, time_zone=row.time_zone)


async def trend_report(session: AsyncSession, user_id: uuid.UUID) -> tuple[TrendReport, Profile | None,
                                                                          dict[dt.date, tuple[float, float]]]:
    """The report, the profile it used and the daily (kcal, protein) it saw."""
    row = await repository.profile(session, user_id)
    today = user_today(row)
    start = today - dt.timedelta(days=WINDOW_DAYS - 1)
    food = await repository.daily_food(session, user_id, start, today)
    weights = [WeighIn(day, kg) for day, kg in await repository.weigh_ins(session, user_id, start, today)]
    profile = to_profile(row)
    # numpy work (about 0.6 ms for 28 days): in a thread, so other requests and consumers keep running.
    report = await asyncio.to_thread(compute_trend, today, {day: kcal for day, (kcal, _) in food.items()},
                                     weights, profile)
    return report, profile, food


async def trend_for(session: AsyncSession, user_id: uuid.UUID) -> TrendRead:
    report, _, _ = await trend_report(session, user_id)
    return TrendRead.model_validate(report)
