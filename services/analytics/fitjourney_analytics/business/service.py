"""Business metrics: DAU/WAU/MAU, workouts, food logging, sign-ups and weekly-cohort retention (UTC days)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.business.repository import ActivityRepository, RegistrationRepository
from fitjourney_analytics.compute.calendar import week_start
from fitjourney_common.errors import ValidationFailed

MAX_RANGE_DAYS = 366


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def metrics_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    last = last or today
    first = first or last - timedelta(days=29)
    if last < first:
        raise ValidationFailed("to", "`to` must not be before `from`")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed("from", f"at most {MAX_RANGE_DAYS} days")
    return first, last


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


async def business_metrics(core: AsyncSession, own: AsyncSession, first: date, last: date) -> dict[str, Any]:
    start, end = _start(first), _start(last + timedelta(days=1))
    signed_up = await RegistrationRepository(own).sign_ups(start, end)
    activity = await ActivityRepository(core).summary(first, last, signed_up)
    weeks = ((last - first).days + 1) / 7.0

    new_per_day: dict[date, int] = defaultdict(int)
    cohort_sizes: dict[date, int] = defaultdict(int)
    for _, day in signed_up:
        new_per_day[day] += 1
        cohort_sizes[week_start(day)] += 1
    retention = []
    last_week = week_start(last)
    for cohort_week, members in sorted(cohort_sizes.items()):
        offsets = range(((last_week - cohort_week).days // 7) + 1)
        retention.append({
            "cohort_week": cohort_week.isoformat(), "users": members,
            "active_share_by_week": [_rate(activity.cohort_active.get((cohort_week, k), 0), members) for k in offsets],
        })
    active = activity.in_range
    return {
        "from": first.isoformat(), "to": last.isoformat(),
        "active_users": {"dau": activity.daily.get(last, 0), "wau": activity.wau, "mau": activity.mau,
                         "in_range": active,
                         "daily": [{"date": (first + timedelta(days=k)).isoformat(),
                                    "active": activity.daily.get(first + timedelta(days=k), 0)}
                                   for k in range((last - first).days + 1)]},
        "workouts": {"completed": activity.workouts, "users": activity.workout_users,
                     "completion_rate": _rate(activity.workout_users, active)},
        "food_logging": {"logs": activity.food_logs, "users": activity.food_users,
                         "share_of_active": _rate(activity.food_users, active),
                         "days_per_user_per_week": None if activity.food_users == 0 else
                         round(activity.food_user_days / activity.food_users / weeks, 3)},
        "new_users": {"total": len(signed_up), "daily": [{"date": day.isoformat(), "count": count}
                                                         for day, count in sorted(new_per_day.items())]},
        "retention": retention,
    }
