"""Daily summary: adds up the user's local day, is served from Redis, dropped by writes, survives an outage."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis.asyncio as aioredis
from core_conftest import REDIS_URL, asgi_client, start_app
from core_helpers import body_metric_body, iso, workout_body

from fitjourney_core.local_time import local_today
from fitjourney_core.settings import CoreSettings
from fitjourney_core.writes.summary_cache import days_today_may_be

NEW_YORK = ZoneInfo("America/New_York")


def local(day: date, hour: int, minute: int = 0) -> str:
    return iso(datetime.combine(day, time(hour, minute), NEW_YORK))


async def food_id(client: httpx.AsyncClient, headers, name: str) -> str:
    found = (await client.get("/api/v1/foods", params={"q": name}, headers=headers)).json()["items"]
    return str(found[0]["id"])


async def log_food(client: httpx.AsyncClient, headers, name: str, grams: float, eaten_at: str,
                   meal: str = "lunch") -> dict:
    response = await client.post("/api/v1/food-logs", headers=headers, json={
        "food_id": await food_id(client, headers, name), "grams": grams, "meal": meal, "eaten_at": eaten_at})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
def yesterday_in_new_york() -> date:
    return datetime.now(NEW_YORK).date() - timedelta(days=1)


async def set_up_new_yorker(client: httpx.AsyncClient, headers) -> None:
    await client.post("/api/v1/body-metrics", headers=headers,
                      json=body_metric_body(weight_kg=80, measured_at=iso(datetime.now(UTC) - timedelta(days=3))))
    response = await client.put("/api/v1/profile", headers=headers, json={
        "birth_date": f"{datetime.now(UTC).year - 30}-01-01", "sex": "male", "height_cm": 180,
        "activity_level": "moderate", "goal": "maintain", "time_zone": "America/New_York"})
    assert response.status_code == 200


async def test_summary_adds_up_the_users_local_day(
    client: httpx.AsyncClient, auth_headers, yesterday_in_new_york: date,
) -> None:
    day = yesterday_in_new_york
    await set_up_new_yorker(client, auth_headers)
    banana = await log_food(client, auth_headers, "Banana", 118, local(day, 8), "breakfast")
    await log_food(client, auth_headers, "Water", 500, local(day, 9), "breakfast")
    # 22:30 in New York is already the next day in UTC: it still belongs to `day`.
    late = await log_food(client, auth_headers, "Banana", 100, local(day, 22, 30), "snack")
    await log_food(client, auth_headers, "Banana", 100, local(day + timedelta(days=1), 0, 30), "snack")
    await log_food(client, auth_headers, "Banana", 100, local(day - timedelta(days=1), 23, 30), "snack")
    workout = await client.post("/api/v1/workouts", headers=auth_headers,
                                json=workout_body(started_at=local(day, 18), duration_min=40))
    assert workout.status_code == 201

    response = await client.get("/api/v1/summary/daily", params={"date": day.isoformat()}, headers=auth_headers)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["date"] == day.isoformat() and summary["time_zone"] == "America/New_York"
    assert summary["kcal_in"] == pytest.approx(banana["kcal"] + late["kcal"], abs=0.2)
    assert summary["protein_g"] == pytest.approx(banana["protein_g"] + late["protein_g"], abs=0.2)
    assert summary["water_ml"] == 500
    assert summary["workouts"] == 1 and summary["workout_minutes"] == 40 and summary["workouts_pending"] == 1
    assert summary["exercise_kcal_net"] == summary["exercise_kcal_gross"] == 0  # pending estimates do not count
    assert summary["kcal_target"] == summary["kcal_budget"] == 2759
    assert summary["kcal_remaining"] == pytest.approx(2759 - summary["kcal_in"], abs=0.2)
    assert summary["protein_target_g"] == 144.0
    assert summary["latest_weight_kg"] == 80
    assert summary["habits_scheduled"] == 0 and summary["habits_done"] == 0


async def test_summary_is_served_from_the_cache_and_dropped_by_a_write(
    client: httpx.AsyncClient, auth_headers, redis_client: aioredis.Redis, yesterday_in_new_york: date,
) -> None:
    day = yesterday_in_new_york
    await set_up_new_yorker(client, auth_headers)
    key = f"summary:daily:{auth_headers.user_id}:{day.isoformat()}"
    params = {"date": day.isoformat()}

    first = (await client.get("/api/v1/summary/daily", params=params, headers=auth_headers)).json()
    assert first["kcal_in"] == 0
    cached = await redis_client.get(key)
    assert cached is not None and json.loads(cached)["kcal_in"] == 0
    assert 0 < await redis_client.ttl(key) <= 300

    # Proof the second read is the cached copy: change the copy, the answer changes with it.
    await redis_client.set(key, json.dumps({**json.loads(cached), "kcal_in": 4242.0}), ex=300)
    assert (await client.get("/api/v1/summary/daily", params=params, headers=auth_headers)).json()["kcal_in"] == 4242

    logged = await log_food(client, auth_headers, "Banana", 118, local(day, 12))
    assert await redis_client.get(key) is None
    fresh = (await client.get("/api/v1/summary/daily", params=params, headers=auth_headers)).json()
    assert fresh["kcal_in"] == pytest.approx(logged["kcal"], abs=0.1)

    # Any cached day is dropped by a workout on it too.
    assert await redis_client.get(key) is not None
    await client.post("/api/v1/workouts", headers=auth_headers, json=workout_body(started_at=local(day, 7)))
    assert (await client.get("/api/v1/summary/daily", params=params, headers=auth_headers)).json()["workouts"] == 1


async def test_summary_is_computed_from_postgres_when_redis_is_down(
    settings: CoreSettings, client: httpx.AsyncClient, auth_headers,
) -> None:
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=90)
    await client.post("/api/v1/workouts", headers=auth_headers, json=workout_body(started_at=iso(started)))
    redis_down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0", "run_event_worker": False})
    async for app in start_app(redis_down, wait_for_broker=False):
        async with asgi_client(app) as offline:
            response = await offline.get("/api/v1/summary/daily", params={"date": started.date().isoformat()},
                                         headers=auth_headers)
            assert response.status_code == 200, response.text
            assert response.json()["workouts"] == 1
            # Writes still work (their cache invalidation waits for Redis to answer); reads stay exact.
            write = await offline.post("/api/v1/workouts", headers=auth_headers,
                                       json=workout_body(started_at=iso(started)))
            assert write.status_code == 201
            again = await offline.get("/api/v1/summary/daily", params={"date": started.date().isoformat()},
                                      headers=auth_headers)
            assert again.status_code == 200 and again.json()["workouts"] == 2


async def test_summary_date_must_be_sane(client: httpx.AsyncClient, auth_headers) -> None:
    for bad in ("1800-01-01", "2999-01-01", "yesterday"):
        response = await client.get("/api/v1/summary/daily", params={"date": bad}, headers=auth_headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "date"


async def test_summary_counts_habits_scheduled_today_and_those_done(client: httpx.AsyncClient, auth_headers) -> None:
    today = datetime.now(UTC).date()  # the profile's time zone defaults to UTC
    weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    not_today = weekdays[(today.weekday() + 1) % 7]
    plan = [("water plants", "daily", 2, 2), ("stretch", [weekdays[today.weekday()]], 1, 1),
            ("long run", [not_today], 1, 1), ("push-ups", "daily", 3, 1)]
    for name, schedule, target, count in plan:
        habit = await client.post("/api/v1/habits", headers=auth_headers,
                                  json={"name": name, "schedule": schedule, "target_count": target})
        assert habit.status_code == 201, habit.text
        check_in = await client.post(f"/api/v1/habits/{habit.json()['id']}/check-ins", headers=auth_headers,
                                     json={"date": today.isoformat(), "count": count})
        # A day outside the schedule cannot be checked in (422), so it never counts as done.
        expected = (422,) if name == "long run" else (200, 201)
        assert check_in.status_code in expected, check_in.text

    summary = (await client.get("/api/v1/summary/daily", params={"date": today.isoformat()},
                                headers=auth_headers)).json()
    assert (summary["habits_done"], summary["habits_scheduled"]) == (2, 3)


async def test_a_profile_change_drops_every_cached_day(
    client: httpx.AsyncClient, auth_headers, redis_client: aioredis.Redis,
) -> None:
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=n) for n in range(3)]
    for day in days:
        assert (await client.get("/api/v1/summary/daily", params={"date": day.isoformat()},
                                 headers=auth_headers)).status_code == 200
    keys = [f"summary:daily:{auth_headers.user_id}:{day.isoformat()}" for day in days]
    assert await redis_client.exists(*keys) == 3
    assert (await client.put("/api/v1/profile", json={"goal": "lose"}, headers=auth_headers)).status_code == 200
    assert await redis_client.exists(*keys) == 0


async def test_a_weighing_drops_every_cached_day_and_keeps_the_time_zone(
    client: httpx.AsyncClient, auth_headers, redis_client: aioredis.Redis,
) -> None:
    """A weighing changes every later day's figures, not the time zone: today's next summary has the new
    weight, in the profile's zone, without the zone read again (only a profile change drops it)."""
    await set_up_new_yorker(client, auth_headers)
    today = datetime.now(NEW_YORK).date()
    first = (await client.get("/api/v1/summary/daily", headers=auth_headers)).json()
    assert (first["date"], first["latest_weight_kg"]) == (today.isoformat(), 80)
    day_key = f"summary:daily:{auth_headers.user_id}:{today.isoformat()}"
    zone_key = f"summary:zone:{auth_headers.user_id}"
    assert await redis_client.exists(day_key, zone_key) == 2

    weighed = await client.post("/api/v1/body-metrics", headers=auth_headers, json=body_metric_body(
        weight_kg=79, measured_at=iso(datetime.now(UTC) - timedelta(minutes=5))))
    assert weighed.status_code == 201, weighed.text
    assert await redis_client.exists(day_key) == 0
    assert await redis_client.get(zone_key) == b"America/New_York"

    after = (await client.get("/api/v1/summary/daily", headers=auth_headers)).json()
    assert (after["date"], after["time_zone"], after["latest_weight_kg"]) == (
        today.isoformat(), "America/New_York", 79)
    assert (await client.put("/api/v1/profile", json={"time_zone": "UTC"}, headers=auth_headers)).status_code == 200
    assert await redis_client.exists(zone_key) == 0


async def test_todays_summary_follows_a_new_time_zone(client: httpx.AsyncClient, auth_headers) -> None:
    """Today's summary (cached with the time zone it was computed in) is computed anew in a new time zone."""
    first = (await client.get("/api/v1/summary/daily", headers=auth_headers)).json()
    cached = (await client.get("/api/v1/summary/daily", headers=auth_headers)).json()
    assert first["time_zone"] == cached["time_zone"] == "UTC"
    moved = await client.put("/api/v1/profile", json={"time_zone": "Pacific/Kiritimati"}, headers=auth_headers)
    assert moved.status_code == 200, moved.text

    summary = (await client.get("/api/v1/summary/daily", headers=auth_headers)).json()
    assert summary["time_zone"] == "Pacific/Kiritimati"
    assert summary["date"] == datetime.now(ZoneInfo("Pacific/Kiritimati")).date().isoformat()


async def test_todays_summary_is_served_from_the_cache(
    client: httpx.AsyncClient, auth_headers, redis_client: aioredis.Redis,
) -> None:
    """Today's cached summary comes in the same read as the time zone (one of the days today may be)."""
    first = (await client.get("/api/v1/summary/daily", headers=auth_headers)).json()
    key = f"summary:daily:{auth_headers.user_id}:{first['date']}"
    await redis_client.set(key, json.dumps({**first, "kcal_in": 4242.0}), ex=300)
    assert (await client.get("/api/v1/summary/daily", headers=auth_headers)).json()["kcal_in"] == 4242


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kolkata", "UTC"])
def test_today_in_any_zone_is_among_the_days_read_for_it(zone: str) -> None:
    for minutes in range(0, 24 * 60, 30):
        now = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=minutes)
        assert local_today(ZoneInfo(zone), now) in days_today_may_be(now)
