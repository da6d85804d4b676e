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
    activity = ActivityRepository(core)
    start, end = _start(first), _start(last + timedelta(days=1))
    daily = await activity.active_per_day(start, end)
    active = await activity.active_users(start, end)
    dau = daily.get(last, 0)
    wau = await activity.active_users(_start(last - timedelta(days=6)), end)
    mau = await activity.active_users(_start(last - timedelta(days=29)), end)
    workouts, workout_users, _ = await activity.kind_totals(start, end, "workouts")
    food_logs, food_users, food_user_days = await activity.kind_totals(start, end, "food_logs")
    weeks = ((last - first).days + 1) / 7.0

    registrations = RegistrationRepository(own)
    signed_up = await registrations.registered_between(start, end)
    new_per_day: dict[date, int] = defaultdict(int)
    cohorts: dict[date, set[str]] = defaultdict(set)
    for user_id, registered_at in signed_up:
        new_per_day[registered_at.astimezone(UTC).date()] += 1
        cohorts[week_start(registered_at.astimezone(UTC).date())].add(user_id)
    active_weeks: dict[date, set[str]] = defaultdict(set)
    if cohorts:
        for user_id, week in await activity.active_weeks(_start(min(cohorts)), end):
            active_weeks[week].add(user_id)
    retention = []
    last_week = week_start(last)
    for cohort_week in sorted(cohorts):
        members = cohorts[cohort_week]
        offsets = range(((last_week - cohort_week).days // 7) + 1)
        retention.append({
            "cohort_week": cohort_week.isoformat(), "users": len(members),
            "active_share_by_week": [_rate(len(members & active_weeks[cohort_week + timedelta(weeks=k)]),
                                           len(members)) for k in offsets],
        })
    return {
        "from": first.isoformat(), "to": last.isoformat(),
        "active_users": {"dau": dau, "wau": wau, "mau": mau, "in_range": active,
                         "daily": [{"date": (first + timedelta(days=k)).isoformat(),
                                    "active": daily.get(first + timedelta(days=k), 0)}
                                   for k in range((last - first).days + 1)]},
        "workouts": {"completed": workouts, "users": workout_users, "completion_rate": _rate(workout_users, active)},
        "food_logging": {"logs": food_logs, "users": food_users, "share_of_active": _rate(food_users, active),
                         "days_per_user_per_week": None if food_users == 0 else
                         round(food_user_days / food_users / weeks, 3)},
        "new_users": {"total": len(signed_up), "daily": [{"date": day.isoformat(), "count": count}
                                                         for day, count in sorted(new_per_day.items())]},
        "retention": retention,
    }
