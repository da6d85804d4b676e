"""The business metrics as Prometheus gauges, recomputed periodically (last 30 days, UTC)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitjourney_analytics.business.service import business_metrics

log = logging.getLogger(__name__)

ACTIVE_USERS = Gauge("fitjourney_active_users", "Users who wrote to core in the window (UTC days)", ["window"])
NEW_USERS = Gauge("fitjourney_new_users_30d", "Accounts created in the last 30 days")
WORKOUT_COMPLETION = Gauge("fitjourney_workout_completion_rate_30d",
                           "Share of the last 30 days' active users who completed a workout")
FOOD_LOGGING = Gauge("fitjourney_food_logging_days_per_user_week_30d",
                     "Days with a food log per logging user and week, last 30 days")
WEEK1_RETENTION = Gauge("fitjourney_week1_retention", "Share of the newest complete sign-up cohort active a week later")
REFRESHED = Gauge("fitjourney_business_metrics_refreshed_timestamp_seconds", "When the gauges were last computed")


async def refresh_gauges(read_factory: async_sessionmaker[AsyncSession],
                         own_factory: async_sessionmaker[AsyncSession]) -> dict[str, object]:
    today = datetime.now(UTC).date()
    async with read_factory() as core, own_factory() as own:
        figures = await business_metrics(core, own, today - timedelta(days=29), today)
    active = figures["active_users"]
    for window in ("dau", "wau", "mau"):
        ACTIVE_USERS.labels(window=window).set(active[window])
    NEW_USERS.set(figures["new_users"]["total"])
    WORKOUT_COMPLETION.set(figures["workouts"]["completion_rate"] or 0.0)
    FOOD_LOGGING.set(figures["food_logging"]["days_per_user_per_week"] or 0.0)
    # The newest cohort that has had a week 1 (its list has at least two entries).
    with_week1 = [c for c in figures["retention"] if len(c["active_share_by_week"]) > 1]
    if with_week1:
        WEEK1_RETENTION.set(with_week1[-1]["active_share_by_week"][1] or 0.0)
    REFRESHED.set(datetime.now(UTC).timestamp())
    return figures


async def refresh_periodically(read_factory: async_sessionmaker[AsyncSession],
                               own_factory: async_sessionmaker[AsyncSession], seconds: float,
                               stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await refresh_gauges(read_factory, own_factory)
        except Exception:  # the next round tries again; /metrics keeps the last figures meanwhile
            log.exception("business gauges could not be refreshed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
