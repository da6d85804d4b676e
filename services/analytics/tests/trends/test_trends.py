"""GET /api/v1/analytics/trends: which days count per metric, the robust slope and its direction."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pandas as pd
import pytest
from analytics_scenario import EXPECTED_WEEKLY_RATE, NOW, fill_berlin_week
from core_rows import CoreRows

from fitjourney_analytics.compute.calendar import period_window
from fitjourney_analytics.compute.report import days_frame
from fitjourney_analytics.compute.series import daily_columns
from fitjourney_analytics.dashboard.service import BODY, FOOD, HABITS, JOURNAL, WORKOUTS, ZERO_FILL, UserDays
from fitjourney_analytics.trends.service import COLUMNS, METRICS, metric_series, trend_of
from fitjourney_common.testing.tokens import TestSigner

TRENDS = "/api/v1/analytics/trends"


async def test_weight_and_intake_trends_of_the_dst_week(
    client: httpx.AsyncClient, core_rows: CoreRows, signer: TestSigner, clock: Any,
) -> None:
    user_id = uuid.uuid4()
    await fill_berlin_week(core_rows, user_id, uuid.uuid4())
    clock.now = NOW
    headers = signer.headers(user_id)
    weight = (await client.get(TRENDS, params={"metric": "weight", "period": "week"}, headers=headers)).json()
    assert [p["date"] for p in weight["series"]] == ["2024-03-25", "2024-03-27", "2024-03-29", "2024-03-31"]
    assert weight["unit"] == "kg" and weight["n"] == 4 and weight["confidence"] == 0.95
    assert weight["slope_per_week"] == pytest.approx(EXPECTED_WEEKLY_RATE, abs=1e-3)
    assert weight["slope_per_day"] == pytest.approx(-0.1583, abs=1e-4)
    # Intake: only the days something was logged (25th 400, 30th 500, 31st 1000), not the empty ones.
    kcal = (await client.get(TRENDS, params={"metric": "kcal_in", "period": "week"}, headers=headers)).json()
    assert [(p["date"], p["value"]) for p in kcal["series"]] == [
        ("2024-03-25", 400.0), ("2024-03-30", 500.0), ("2024-03-31", 1000.0)]
    # Workout minutes: every day counts (no workout is zero minutes).
    minutes = (await client.get(TRENDS, params={"metric": "workout_minutes", "period": "week"},
                                headers=headers)).json()
    assert [p["value"] for p in minutes["series"]] == [0, 90, 0, 0, 45, 0, 0]
    habits = (await client.get(TRENDS, params={"metric": "habit_completion", "period": "week"},
                               headers=headers)).json()
    assert [p["value"] for p in habits["series"]] == [1.0, 1.0, 1.0, 0.0, 0.5, 1.0]


async def test_a_steady_loss_is_down_with_an_interval_below_zero(
    client: httpx.AsyncClient, core_rows: CoreRows, signer: TestSigner, clock: Any,
) -> None:
    user_id = uuid.uuid4()
    start = datetime(2024, 1, 1, 7, 0, tzinfo=UTC)
    # -0.1 kg a day for 30 days, one weighing 3 kg off: Theil-Sen still says -0.7 kg/week.
    for day in range(30):
        await core_rows.body_metric(user_id, start + timedelta(days=day), 90 - 0.1 * day + (3 if day == 12 else 0))
    clock.now = datetime(2024, 1, 30, 12, 0, tzinfo=UTC)
    body = (await client.get(TRENDS, params={"metric": "weight", "period": "month"},
                             headers=signer.headers(user_id))).json()
    assert body["direction"] == "down"
    assert body["slope_per_week"] == pytest.approx(-0.7, abs=1e-6)
    assert body["ci_per_week"][1] < 0


async def test_unknown_metric_is_422_naming_it(client: httpx.AsyncClient, signer: TestSigner) -> None:
    response = await client.get(TRENDS, params={"metric": "steps"}, headers=signer.headers())
    assert response.status_code == 422 and "metric" in response.text


async def test_a_days_weight_and_body_fat_are_its_last_of_each_across_the_autumn_change(
    client: httpx.AsyncClient, core_rows: CoreRows, signer: TestSigner, clock: Any,
) -> None:
    # Berlin's 2024-10-27 has 25 hours: 2024-10-26 22:00Z .. 2024-10-27 23:00Z.
    user_id = uuid.uuid4()
    await core_rows.profile(user_id, "Europe/Berlin")
    await core_rows.body_metric(user_id, datetime(2024, 10, 26, 22, 30, tzinfo=UTC), 70.0, 20.0)  # 27th 00:30 CEST
    await core_rows.body_metric(user_id, datetime(2024, 10, 27, 18, 0, tzinfo=UTC), 71.0)  # the 27th's last weight
    await core_rows.body_metric(user_id, datetime(2024, 10, 27, 22, 30, tzinfo=UTC), None, 21.0)  # 23:30 CET, 27th
    await core_rows.body_metric(user_id, datetime(2024, 10, 27, 23, 30, tzinfo=UTC), 72.0)  # 28th 00:30 CET
    clock.now = datetime(2024, 10, 28, 12, 0, tzinfo=UTC)
    headers = signer.headers(user_id)
    weight = (await client.get(TRENDS, params={"metric": "weight", "period": "week"}, headers=headers)).json()
    assert [(p["date"], p["value"]) for p in weight["series"]] == [("2024-10-27", 71.0), ("2024-10-28", 72.0)]
    fat = (await client.get(TRENDS, params={"metric": "body_fat", "period": "week"}, headers=headers)).json()
    assert [(p["date"], p["value"]) for p in fat["series"]] == [("2024-10-27", 21.0)]
    days = {day["date"]: day for day in (await client.get(
        "/api/v1/analytics/dashboard", params={"period": "week"}, headers=headers)).json()["days"]}
    assert (days["2024-10-27"]["weight_kg"], days["2024-10-27"]["body_fat_pct"]) == (71.0, 21.0)
    assert (days["2024-10-26"]["weight_kg"], days["2024-10-28"]["body_fat_pct"]) == (None, None)


def _pandas_metric_series(data: UserDays, metric: str) -> pd.Series:
    """The pandas version `metric_series` replaced (so the API process need not import pandas)."""
    daily = days_frame(data.window, data.columns)
    _, days = METRICS[metric]
    if metric == "habit_completion":
        due = daily[daily["habits_scheduled"] > 0]
        return (due["habits_done"] / due["habits_scheduled"]).astype(float)
    column = daily[COLUMNS.get(metric, metric)]
    if days == "logged":
        return column[daily["food_logs"] > 0]
    if days == "all":
        return column[[day <= data.today for day in daily.index]]
    return column.dropna()


def test_every_metric_is_what_the_pandas_version_answered() -> None:
    # A quarter of realistic days: meals on most days, workouts on some, irregular weighings, three habits,
    # journal entries; "today" before the window's end so the days after it are left out where they count.
    rng = random.Random(5)
    window = period_window("quarter", date(2024, 4, 2), ZoneInfo("Europe/Berlin"))
    rows = []
    for day in window.days:
        row: dict[str, Any] = {"day": day}
        if rng.random() < 0.8:
            row.update(food_logs=rng.randint(1, 7), kcal_in=round(rng.uniform(300, 3200), 1),
                       protein_g=round(rng.uniform(10, 200), 2), carbs_g=round(rng.uniform(20, 400), 2),
                       fat_g=round(rng.uniform(5, 150), 2))
        if rng.random() < 0.3:
            row.update(workouts=1, workout_minutes=rng.choice((20, 30, 45.5, 60)),
                       kcal_out=round(rng.uniform(90, 800), 1))
        if rng.random() < 0.4:
            row.update(weight_kg=round(rng.uniform(78, 84), 2), body_fat_pct=round(rng.uniform(18, 24), 1)
                       if rng.random() < 0.5 else None)
        row.update(habits_scheduled=rng.randint(0, 3))
        row.update(habits_done=rng.randint(0, row["habits_scheduled"]))
        if rng.random() < 0.5:
            row.update(mood=rng.randint(1, 5), energy=rng.randint(1, 5))
        rows.append(row)
    columns = daily_columns(window, rows, [*FOOD, *WORKOUTS, *BODY, *HABITS, *JOURNAL], zero_fill=ZERO_FILL)
    data = UserDays(window=window, today=window.last - timedelta(days=10), columns=columns, by_activity={},
                    habits=[], profile=None, latest_weight=None)
    for metric in METRICS:
        expected = _pandas_metric_series(data, metric)
        days, values = metric_series(data, metric)
        assert days == list(expected.index), metric
        assert values.tolist() == expected.tolist(), metric
        body = trend_of(data, metric, "quarter")
        assert body["series"] == [{"date": day.isoformat(), "value": round(float(value), 3)}
                                  for day, value in expected.items()], metric
        assert body["n"] == len(expected) and body["n"] > 3, metric
