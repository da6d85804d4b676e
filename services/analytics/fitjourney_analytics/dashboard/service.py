"""Builds a user's days from core's data (a numpy array per column) and turns them into the dashboard."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from fitjourney_analytics.compute.calendar import Window, period_window
from fitjourney_analytics.compute.habits import CheckIns, habit_stats
from fitjourney_analytics.compute.series import (
    column_records,
    daily_columns,
    none_if_nan,
    weekly_columns,
)
from fitjourney_analytics.compute.trend import day_ema, robust_trend
from fitjourney_analytics.coredata.repository import CoreReadRepository, HabitRow, ProfileFacts
from fitjourney_analytics.dashboard.cache import DashboardCache, response_body
from fitjourney_analytics.dashboard.schemas import DashboardRead
from fitjourney_common.fitness.local_time import local_date, local_today, zone_or_utc
from fitjourney_common.fitness.targets import age_on, daily_targets

FOOD = ["kcal_in", "protein_g", "carbs_g", "fat_g", "food_logs"]
WORKOUTS = ["workouts", "workout_minutes", "kcal_out"]
BODY = ["weight_kg", "body_fat_pct"]
HABITS = ["habits_done", "habits_scheduled"]
JOURNAL = ["mood", "energy"]
# Sums where an empty day truly means zero; everything else is missing on a day without data.
ZERO_FILL = [*FOOD, *WORKOUTS, *HABITS]
# The kinds of data a UserDays can hold (a trend reads only the one its metric needs).
KINDS = frozenset({"food", "workouts", "body", "journal", "habits"})
# Habit streaks look this far back before the window, so a streak that began earlier is counted whole.
STREAK_LOOKBACK_DAYS = 366
NO_CHECK_INS = CheckIns(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


@dataclass
class UserDays:
    """Everything the dashboard, the trends and the reports compute from: a value per local day of the window
    in each of `columns` (numpy, not a DataFrame: the API process does not import pandas)."""

    window: Window
    today: date
    columns: dict[str, np.ndarray]
    by_activity: dict[str, dict[str, float]]
    habits: list[dict[str, Any]]
    profile: ProfileFacts | None
    latest_weight: float | None
    latest_body_fat: float | None = None


async def user_zone_today(core: CoreReadRepository, user_id: uuid.UUID, now: datetime | None
                          ) -> tuple[ProfileFacts | None, Any, date]:
    profile = await core.profile(user_id)
    zone = zone_or_utc(profile.time_zone if profile else None)
    return profile, zone, local_today(zone, now or datetime.now(UTC))


async def load_period(core: CoreReadRepository, user_id: uuid.UUID, period: str, now: datetime | None = None,
                      ) -> UserDays:
    profile, zone, today = await user_zone_today(core, user_id, now)
    return await load_days(core, user_id, period_window(period, today, zone), today, profile)


async def load_current(core: CoreReadRepository, user_id: uuid.UUID, period: str, now: datetime,
                       zone_guess: ZoneInfo | None, kinds: Collection[str] = KINDS) -> UserDays:
    """The user's days of `period` ending today in the profile's zone. With `zone_guess` (the zone of the last
    answer cached, whatever its generation) the profile rides in the data's statement; only when it names
    another zone (it changed since) is the data read again in that zone. Without it, profile first."""
    if zone_guess is not None:
        today = local_today(zone_guess, now)
        data = await load_days(core, user_id, period_window(period, today, zone_guess), today, None, kinds,
                               read_profile=True)
        zone = zone_or_utc(data.profile.time_zone if data.profile else None)
        if str(zone) == str(zone_guess):
            return data
        profile = data.profile
    else:
        profile = await core.profile(user_id)
        zone = zone_or_utc(profile.time_zone if profile else None)
    today = local_today(zone, now)
    return await load_days(core, user_id, period_window(period, today, zone), today, profile, kinds)


async def cached_view(cache: DashboardCache, user_id: uuid.UUID, view: str, now: datetime | None,
                      compute: Callable[[datetime, ZoneInfo | None], Awaitable[tuple[UserDays, bytes]]],
                      ) -> tuple[bytes, bool]:
    """The view's body from Redis when it was computed under the user's current generation for today in its
    zone (one round trip: no database), else `compute(now, zone_guess)`'s, stored tagged (Redis up)."""
    now = now or datetime.now(UTC)
    generation, stored = await cache.read(user_id, view)
    zone_guess = None
    if stored is not None:
        zone_guess = zone_or_utc(stored.zone)
        if generation is not None and stored.generation == generation \
                and local_today(zone_guess, now).isoformat() == stored.day:
            cache.counted(hit=True)
            return stored.body, True
    if generation is not None:
        cache.counted(hit=False)
    data, body = await compute(now, zone_guess)
    if generation is not None:
        await cache.store(user_id, view, generation, data.today, str(data.window.zone), body)
    return body, False


async def load_days(core: CoreReadRepository, user_id: uuid.UUID, window: Window, today: date,
                    profile: ProfileFacts | None, kinds: Collection[str] = KINDS, *, read_profile: bool = False,
                    ) -> UserDays:
    """The user's days of `window`; only the `kinds` of data asked for are read (a trend needs one), the
    columns of the others are left as on a day without data. `read_profile`: the profile is read with the
    data (same statement on PostgreSQL) and replaces `profile`."""
    rows: dict[date, dict[str, Any]] = defaultdict(dict)
    by_activity: dict[str, dict[str, float]] = defaultdict(lambda: {"workouts": 0, "minutes": 0.0, "kcal_out": 0.0})
    fetched = await core.window_data(user_id, window, kinds, window.first - timedelta(days=STREAK_LOOKBACK_DAYS),
                                     profile=read_profile)
    if read_profile:
        profile = fetched.profile
    days_of = fetched.days
    for row in days_of.get("food", []):
        rows[row["day"]].update({key: row[key] for key in FOOD})
    for row in days_of.get("workouts", []):
        totals = rows[row["day"]]
        for key in WORKOUTS:
            totals[key] = totals.get(key, 0.0) + float(row[key])
        activity = by_activity[row["activity"]]
        activity["workouts"] += int(row["workouts"])
        activity["minutes"] += float(row["workout_minutes"])
        activity["kcal_out"] += float(row["kcal_out"])
    for row in days_of.get("body", []):
        rows[row["day"]].update({key: row[key] for key in BODY if row[key] is not None})
    for row in days_of.get("journal", []):
        rows[row["day"]].update(mood=row["mood"], energy=row["energy"])
    habit_items = _habit_items(fetched.habits, fetched.check_ins, window, today, rows)

    days = window.days
    values = daily_columns(window, [{"day": day, **values} for day, values in rows.items()],
                           [*FOOD, *WORKOUTS, *BODY, *HABITS, *JOURNAL], zero_fill=ZERO_FILL)
    measured = values["weight_kg"]
    ema = np.full(len(days), np.nan)
    has_weight = ~np.isnan(measured)
    if has_weight.any():
        ema[has_weight] = day_ema([day for day, has in zip(days, has_weight, strict=True) if has],
                                  measured[has_weight].tolist())
    columns: dict[str, np.ndarray] = {}
    for key, column in values.items():
        columns[key] = column
        if key == "weight_kg":
            columns["weight_ema_kg"] = ema  # right after the weight it smooths
    return UserDays(window=window, today=today, columns=columns, by_activity=dict(by_activity),
                    habits=habit_items, profile=profile, latest_weight=fetched.latest_weight,
                    latest_body_fat=fetched.latest_body_fat)


def _habit_items(habits: list[HabitRow], counts: dict[uuid.UUID, CheckIns], window: Window, today: date,
                 rows: dict[date, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each habit's figures (`counts`: its check-ins); adds its due and done days to `rows`."""
    items: list[dict[str, Any]] = []
    for habit in habits:
        created_on = local_date(habit.created_at, window.zone)
        stats = habit_stats(habit.schedule, habit.target_count, created_on, counts.get(habit.id, NO_CHECK_INS), window,
                            today)
        items.append({"habit_id": str(habit.id), "name": habit.name, "scheduled": stats.scheduled,
                      "done": stats.done, "completion_rate": none_if_nan(stats.completion_rate, 3),
                      "current_streak": stats.current_streak, "longest_streak": stats.longest_streak})
        for day, reached in stats.days.items():
            totals = rows[day]
            totals["habits_scheduled"] = totals.get("habits_scheduled", 0) + 1
            totals["habits_done"] = totals.get("habits_done", 0) + int(reached)
    return items


def targets_of(profile: ProfileFacts | None, weight_kg: float | None, body_fat_pct: float | None,
               today: date) -> dict[str, float] | None:
    """Core's targets (the shared Mifflin-St Jeor rules) for the profile as it is now, with the same latest weight
    and body fat core takes, so the dashboard and the daily summary agree; None until complete."""
    if profile is None or weight_kg is None or None in (profile.birth_date, profile.sex, profile.height_cm):
        return None
    assert profile.birth_date is not None and profile.sex is not None and profile.height_cm is not None
    targets = daily_targets(weight_kg=weight_kg, height_cm=profile.height_cm, age_years=age_on(profile.birth_date,
                            today), sex=profile.sex, activity_level=profile.activity_level, goal=profile.goal,
                            weekly_rate_kg=profile.weekly_rate_kg, body_fat_pct=body_fat_pct)
    return {"kcal": targets.kcal, "protein_g": targets.protein_g, "carbs_g": targets.carbs_g, "fat_g": targets.fat_g}


def _ratio(part: float, whole: float) -> float | None:
    return None if whole == 0 else round(part / whole, 3)


def _mean(values: np.ndarray) -> float | None:
    """The average of the values present (NaN = no value), rounded; None when there are none."""
    present = values[~np.isnan(values)]
    return none_if_nan(present.mean()) if present.size else None


def dashboard(data: UserDays, period: str) -> dict[str, Any]:
    # Reductions on the frame's columns as numpy arrays: a pandas call per figure cost more than the
    # figures on a week's 7 rows.
    column = data.columns
    days_index = data.window.days
    logged = column["food_logs"] > 0
    days = len(days_index)
    targets = targets_of(data.profile, data.latest_weight, data.latest_body_fat, data.today)
    macros: dict[str, Any] = {}
    for key, target_key in (("kcal_in", "kcal"), ("protein_g", "protein_g"), ("carbs_g", "carbs_g"),
                            ("fat_g", "fat_g")):
        average = _mean(column[key][logged])
        target = targets[target_key] if targets else None
        macros[target_key] = {"average_per_logged_day": average, "target": target,
                              "ratio": None if average is None or not target else round(average / target, 3)}
    weighed = ~np.isnan(column["weight_kg"])
    weights = column["weight_kg"][weighed].tolist()
    trend = robust_trend([day for day, has in zip(days_index, weighed, strict=True) if has], weights)
    fats = column["body_fat_pct"][~np.isnan(column["body_fat_pct"])].tolist()
    emas = column["weight_ema_kg"][~np.isnan(column["weight_ema_kg"])]
    habits_scheduled = int(column["habits_scheduled"].sum())
    habits_done = int(column["habits_done"].sum())
    mondays, weekly = weekly_columns(days_index, column, sums=[*FOOD, *WORKOUTS, *HABITS],
                                     means=[*BODY, "weight_ema_kg", *JOURNAL])
    return {
        "period": period, "from": data.window.first.isoformat(), "to": data.window.last.isoformat(),
        "time_zone": str(data.window.zone), "targets": targets,
        "days": column_records(days_index, column, "date"),
        "weeks": column_records(mondays, weekly, "week_start"),
        "totals": {
            **{key: round(float(np.nansum(column[key])), 1) for key in ("kcal_in", "kcal_out", "protein_g",
                                                                        "carbs_g", "fat_g", "workout_minutes")},
            "food_logs": int(column["food_logs"].sum()), "workouts": int(column["workouts"].sum()),
            "by_activity": {name: {"workouts": int(v["workouts"]), "minutes": round(v["minutes"], 1),
                                   "kcal_out": round(v["kcal_out"], 1)}
                            for name, v in sorted(data.by_activity.items())},
        },
        "macros_vs_targets": macros,
        "weight": {
            "latest_kg": none_if_nan(weights[-1]) if weights else None,
            "ema_kg": none_if_nan(emas[-1]) if weights else None,
            "change_kg": none_if_nan(weights[-1] - weights[0]) if len(weights) > 1 else None,
            "weekly_rate_kg": none_if_nan(trend.slope_per_week, 3),
            "weekly_rate_ci_kg": [round(v, 3) for v in trend.ci_per_week] if trend.ci_per_week else None,
            "direction": trend.direction, "weighings": trend.n,
        },
        "body_fat": {
            "latest_pct": none_if_nan(fats[-1]) if fats else None,
            "change_pct": none_if_nan(fats[-1] - fats[0]) if len(fats) > 1 else None,
            "measurements": len(fats),
        },
        "habits": {
            "completion_rate": _ratio(float(habits_done), habits_scheduled),
            "scheduled": habits_scheduled, "done": habits_done, "items": data.habits,
        },
        "journal": {"entries": int((~np.isnan(column["mood"]) | ~np.isnan(column["energy"])).sum()),
                    "mood_average": _mean(column["mood"]), "energy_average": _mean(column["energy"])},
        "adherence": {"days": days, "days_with_food": int(logged.sum()),
                      "food_logging_rate": _ratio(int(logged.sum()), days), "days_with_weight": len(weights)},
    }


async def cached_dashboard(core: CoreReadRepository, cache: DashboardCache, user_id: uuid.UUID, period: str,
                           now: datetime | None = None) -> bytes:
    """The dashboard's response body, from Redis when this generation of the user's data has it, else computed
    and cached."""

    async def compute(at: datetime, zone_guess: ZoneInfo | None) -> tuple[UserDays, bytes]:
        data = await load_current(core, user_id, period, at, zone_guess)
        return data, response_body(DashboardRead, {**dashboard(data, period), "cached": False})

    body, hit = await cached_view(cache, user_id, f"dashboard:{period}", now, compute)
    return marked_cached(body) if hit else body


# `cached` is the model's last field: a stored body ends with it, and a hit answers it turned to true.
_NOT_CACHED_END, _CACHED_END = b',"cached":false}', b',"cached":true}'


def marked_cached(body: bytes) -> bytes:
    """A stored dashboard body as a hit answers it: `cached` true."""
    if body.endswith(_NOT_CACHED_END):
        return body[:-len(_NOT_CACHED_END)] + _CACHED_END
    return DashboardRead.model_validate_json(body).model_copy(update={"cached": True}).model_dump_json(
        by_alias=True).encode()
