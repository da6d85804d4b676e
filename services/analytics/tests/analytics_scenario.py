"""A hand-computed week in Europe/Berlin that spans the spring DST change (2024-03-31 has 23 hours).

Every expected figure below is worked out by hand in the comments; tests on PostgreSQL (SQL buckets)
and on SQLite (buckets in Python) both check them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from core_rows import CoreRows

DASHBOARD = "/api/v1/analytics/dashboard"
ZONE = "Europe/Berlin"
# "Now": Sunday 2024-03-31 12:00 CEST. The week period is Mon 25 .. Sun 31 March.
NOW = datetime(2024, 3, 31, 10, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def fill_berlin_week(rows: CoreRows, user_id: uuid.UUID, other_user: uuid.UUID) -> None:
    await rows.profile(user_id, ZONE, birth_date=date(1990, 4, 1), sex="female", height_cm=168.0,
                       activity_level="moderate", goal="lose", weekly_rate_kg=0.5)
    # Food. 25th: 400 (00:30 CET, the 24th 23:30 UTC). 30th: 500 (23:30 CET). 31st: 300 (00:30 CET)
    # + 700 (11:00 CEST) = 1000. Outside: 23:30 CET on the 24th; a deleted log; another user's log.
    await rows.food(user_id, utc(2024, 3, 24, 23, 30), 400, 10, 40, 20)
    await rows.food(user_id, utc(2024, 3, 24, 22, 30), 999, 99, 99, 99)
    await rows.food(user_id, utc(2024, 3, 30, 22, 30), 500, 20, 50, 10)
    await rows.food(user_id, utc(2024, 3, 30, 23, 30), 300, 10, 30, 5)
    await rows.food(user_id, utc(2024, 3, 31, 9, 0), 700, 30, 80, 20)
    await rows.food(user_id, utc(2024, 3, 27, 10, 0), 1000, 1, 1, 1, deleted_at=utc(2024, 3, 27, 11, 0))
    await rows.food(other_user, utc(2024, 3, 31, 9, 0), 5000, 1, 1, 1)
    # Workouts: 26th running 30 min (300 kcal) and yoga 60 min (estimate pending: 0 kcal out);
    # 29th running 45 min (450 kcal).
    await rows.workout(user_id, utc(2024, 3, 26, 17, 0), 30, "running", 300)
    await rows.workout(user_id, utc(2024, 3, 26, 18, 0), 60, "yoga", None)
    await rows.workout(user_id, utc(2024, 3, 29, 6, 0), 45, "running", 450)
    # Weighings: 25th 80.0 (fat 25.0), 27th 79.6, 29th 79.8 then 79.4 (the day's last counts), 31st 79.0 (fat 24.5).
    await rows.body_metric(user_id, utc(2024, 3, 25, 6, 0), 80.0, 25.0)
    await rows.body_metric(user_id, utc(2024, 3, 27, 6, 0), 79.6)
    await rows.body_metric(user_id, utc(2024, 3, 29, 6, 0), 79.8)
    await rows.body_metric(user_id, utc(2024, 3, 29, 19, 0), 79.4)
    await rows.body_metric(user_id, utc(2024, 3, 31, 6, 0), 79.0, 24.5)
    # Habits. Stretch (daily, 1): done 25, 26, 27, 29, 30; today (31st) not yet.
    stretch = await rows.habit(user_id, "Stretch", "daily", 1, utc(2024, 3, 20, 8, 0))
    for day in (25, 26, 27, 29, 30):
        await rows.check_in(user_id, stretch, date(2024, 3, day))
    # Gym (Mon/Wed/Fri, 2), created Tue 26th: due Wed 27 (2: done) and Fri 29 (1: not done).
    gym = await rows.habit(user_id, "Gym", "mon,wed,fri", 2, utc(2024, 3, 26, 10, 0))
    await rows.check_in(user_id, gym, date(2024, 3, 27), 2)
    await rows.check_in(user_id, gym, date(2024, 3, 29), 1)
    # Journal: 26th mood 4 energy 3; 30th mood 2 energy 5.
    await rows.journal(user_id, date(2024, 3, 26), 4, 3)
    await rows.journal(user_id, date(2024, 3, 30), 2, 5)


# EMA (alpha 0.25 per day; a gap of g days keeps 0.75**g of the old average):
#   25th 80.0; 27th 80*0.5625 + 79.6*0.4375 = 79.825; 29th 79.825*0.5625 + 79.4*0.4375 = 79.6390625;
#   31st 79.6390625*0.5625 + 79.0*0.4375 = 79.35947265625
EXPECTED_EMA = {"2024-03-25": 80.0, "2024-03-27": 79.82, "2024-03-29": 79.64, "2024-03-31": 79.36}
# Theil-Sen over (0, 80.0), (2, 79.6), (4, 79.4), (6, 79.0): pairwise slopes -0.2, -0.15, -1/6, -0.1, -0.15, -0.2;
# median (-1/6 - 0.15) / 2 = -0.158333 kg/day = -1.108 kg/week.
EXPECTED_WEEKLY_RATE = -1.108
# Targets (Mifflin-St Jeor): age 33 on the 31st (birthday 1 April); BMR 10*79 + 6.25*168 - 5*33 - 161 = 1514;
# x1.55 = 2346.7; lose 0.5 kg/week: -550 -> 1796.7 -> 1797 kcal; protein per kg of lean mass, as core's daily
# summary counts it when body fat is known: 2.2 * 79 * (1 - 0.245) = 131.2 g (the 31st's 24.5 %, the latest
# reading); fat 0.25*1797/9 = 49.9 g; carbs the rest of the rounded kcal, so the macros add up to it:
# (1797 - 524.8 - 449.1)/4 = 205.8 g.
EXPECTED_TARGETS = {"kcal": 1797, "protein_g": 131.2, "carbs_g": 205.8, "fat_g": 49.9}


def by_date(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {day["date"]: day for day in body["days"]}


def check_berlin_week(body: dict[str, Any]) -> None:
    """The figures of scenario.fill_berlin_week, worked out by hand (see scenario.py)."""
    assert (body["from"], body["to"], body["time_zone"]) == ("2024-03-25", "2024-03-31", "Europe/Berlin")
    days = by_date(body)
    assert list(days) == [f"2024-03-{d}" for d in range(25, 32)]  # every day, empty ones included
    assert [days[f"2024-03-{d}"]["kcal_in"] for d in range(25, 32)] == [400, 0, 0, 0, 0, 500, 1000]
    assert [days[f"2024-03-{d}"]["food_logs"] for d in range(25, 32)] == [1, 0, 0, 0, 0, 1, 2]
    assert days["2024-03-31"]["protein_g"] == 40 and days["2024-03-31"]["fat_g"] == 25
    assert [days[f"2024-03-{d}"]["workout_minutes"] for d in range(25, 32)] == [0, 90, 0, 0, 45, 0, 0]
    assert days["2024-03-26"]["kcal_out"] == 300 and days["2024-03-26"]["workouts"] == 2
    assert days["2024-03-28"]["weight_kg"] is None and days["2024-03-28"]["mood"] is None  # no data, not zero
    assert days["2024-03-29"]["weight_kg"] == 79.4
    assert {d: days[d]["weight_ema_kg"] for d in EXPECTED_EMA} == EXPECTED_EMA
    assert [(days[f"2024-03-{d}"]["habits_done"], days[f"2024-03-{d}"]["habits_scheduled"])
            for d in range(25, 32)] == [(1, 1), (1, 1), (2, 2), (0, 1), (1, 2), (1, 1), (0, 0)]

    assert body["totals"] == {
        "kcal_in": 1900.0, "kcal_out": 750.0, "protein_g": 70.0, "carbs_g": 200.0, "fat_g": 55.0,
        "workout_minutes": 135.0, "food_logs": 4, "workouts": 3,
        "by_activity": {"running": {"workouts": 2, "minutes": 75.0, "kcal_out": 750.0},
                        "yoga": {"workouts": 1, "minutes": 60.0, "kcal_out": 0.0}},
    }
    assert body["targets"] == EXPECTED_TARGETS
    kcal = body["macros_vs_targets"]["kcal"]
    assert kcal["average_per_logged_day"] == pytest.approx(633.33) and kcal["target"] == 1797
    assert kcal["ratio"] == pytest.approx(0.352)  # 633.33 / 1797

    weight = body["weight"]
    assert (weight["latest_kg"], weight["ema_kg"], weight["change_kg"]) == (79.0, 79.36, -1.0)
    assert weight["weekly_rate_kg"] == pytest.approx(EXPECTED_WEEKLY_RATE, abs=1e-3)
    low, high = weight["weekly_rate_ci_kg"]
    assert low <= EXPECTED_WEEKLY_RATE <= high
    assert weight["weighings"] == 4
    assert body["body_fat"] == {"latest_pct": 24.5, "change_pct": -0.5, "measurements": 2}

    habits = body["habits"]
    assert (habits["done"], habits["scheduled"], habits["completion_rate"]) == (6, 8, 0.75)
    items = {item["name"]: item for item in habits["items"]}
    assert (items["Stretch"]["done"], items["Stretch"]["scheduled"]) == (5, 6)
    assert (items["Stretch"]["current_streak"], items["Stretch"]["longest_streak"]) == (2, 3)
    assert (items["Gym"]["done"], items["Gym"]["scheduled"], items["Gym"]["current_streak"]) == (1, 2, 0)
    assert body["journal"] == {"entries": 2, "mood_average": 3.0, "energy_average": 4.0}
    assert body["adherence"] == {"days": 7, "days_with_food": 3, "food_logging_rate": 0.429, "days_with_weight": 4}
    assert len(body["weeks"]) == 1 and body["weeks"][0]["week_start"] == "2024-03-25"
    assert body["weeks"][0]["kcal_in"] == 1900 and body["weeks"][0]["days"] == 7
