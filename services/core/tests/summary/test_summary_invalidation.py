"""Every write that changes a day's numbers drops that day's cached summary: the next read shows the change.

Each case first reads the summary (which caches it in Redis; the case checks the copy is there), then
writes, then reads again. Without the invalidation the second read would serve the cached, old numbers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from core_conftest import REDIS_URL, asgi_client
from core_helpers import iso, workout_body

from fitjourney_core.foods.catalogue import sr28_id
from fitjourney_core.summary import service as summary_service

BANANA = str(sr28_id("09040"))  # 89 kcal per 100 g
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def today() -> date:
    return datetime.now(UTC).date()  # a user without a profile lives in UTC


def yesterday() -> date:
    return today() - timedelta(days=1)


def at(day: date, hour: int = 12) -> str:
    return iso(datetime.combine(day, time(hour), UTC))


@dataclass
class Api:
    """One user talking to the API, plus a look at Redis to prove a summary was really cached."""

    client: httpx.AsyncClient
    headers: Any
    redis: aioredis.Redis

    async def call(self, method: str, url: str, expected: int, **kwargs: Any) -> Any:
        response = await self.client.request(method, f"/api/v1{url}", headers=self.headers, **kwargs)
        assert response.status_code == expected, (method, url, response.text)
        return response.json() if response.content else None

    async def summary(self, day: date) -> dict[str, Any]:
        return await self.call("GET", "/summary/daily", 200, params={"date": day.isoformat()})  # type: ignore[no-any-return]

    async def cached_summary(self, day: date) -> dict[str, Any]:
        """Read the day, and check it now sits in the cache (so a missed invalidation would show)."""
        summary = await self.summary(day)
        assert await self.redis.exists(f"summary:daily:{self.headers.user_id}:{day.isoformat()}") == 1
        return summary

    async def log_food(self, day: date, grams: float = 100) -> str:
        body = {"food_id": BANANA, "grams": grams, "meal": "lunch", "eaten_at": at(day)}
        return str((await self.call("POST", "/food-logs", 201, json=body))["id"])

    async def workout(self, day: date, minutes: float = 30) -> str:
        body = workout_body(started_at=at(day, 7), duration_min=minutes)
        return str((await self.call("POST", "/workouts", 201, json=body))["id"])

    async def habit(self, **body: Any) -> str:
        return str((await self.call("POST", "/habits", 201, json={"name": "Stretch"} | body))["id"])

    async def check_in(self, habit_id: str, count: int = 1, expected: int = 201) -> None:
        await self.call("POST", f"/habits/{habit_id}/check-ins", expected,
                        json={"date": today().isoformat(), "count": count})

    async def metric(self, day: date, weight: float) -> str:
        body = {"measured_at": at(day, 8), "weight_kg": weight}
        return str((await self.call("POST", "/body-metrics", 201, json=body))["id"])


Case = Callable[[Api], Awaitable[None]]


async def food_log_created(api: Api) -> None:
    assert (await api.cached_summary(yesterday()))["kcal_in"] == 0
    await api.log_food(yesterday())
    assert (await api.summary(yesterday()))["kcal_in"] == 89.0


async def food_log_edited(api: Api) -> None:
    log_id = await api.log_food(yesterday())
    assert (await api.cached_summary(yesterday()))["kcal_in"] == 89.0
    await api.call("PATCH", f"/food-logs/{log_id}", 200, json={"grams": 200})
    assert (await api.summary(yesterday()))["kcal_in"] == 178.0


async def food_log_moved_to_another_day(api: Api) -> None:
    log_id = await api.log_food(yesterday())
    before = yesterday() - timedelta(days=1)
    assert (await api.cached_summary(yesterday()))["kcal_in"] == 89.0
    assert (await api.cached_summary(before))["kcal_in"] == 0
    await api.call("PATCH", f"/food-logs/{log_id}", 200, json={"eaten_at": at(before)})
    assert (await api.summary(yesterday()))["kcal_in"] == 0  # the day it left
    assert (await api.summary(before))["kcal_in"] == 89.0  # the day it joined


async def food_log_deleted(api: Api) -> None:
    log_id = await api.log_food(yesterday())
    assert (await api.cached_summary(yesterday()))["kcal_in"] == 89.0
    await api.call("DELETE", f"/food-logs/{log_id}", 204)
    assert (await api.summary(yesterday()))["kcal_in"] == 0


async def workout_created(api: Api) -> None:
    assert (await api.cached_summary(yesterday()))["workouts"] == 0
    await api.workout(yesterday())
    assert (await api.summary(yesterday()))["workouts"] == 1


async def workout_edited(api: Api) -> None:
    workout_id = await api.workout(yesterday(), minutes=30)
    assert (await api.cached_summary(yesterday()))["workout_minutes"] == 30
    await api.call("PATCH", f"/workouts/{workout_id}", 200, json={"duration_min": 45})
    assert (await api.summary(yesterday()))["workout_minutes"] == 45


async def workout_moved_to_another_day(api: Api) -> None:
    workout_id = await api.workout(yesterday())
    before = yesterday() - timedelta(days=1)
    assert (await api.cached_summary(yesterday()))["workouts"] == 1
    assert (await api.cached_summary(before))["workouts"] == 0
    await api.call("PATCH", f"/workouts/{workout_id}", 200, json={"started_at": at(before, 7)})
    assert (await api.summary(yesterday()))["workouts"] == 0
    assert (await api.summary(before))["workouts"] == 1


async def workout_deleted(api: Api) -> None:
    workout_id = await api.workout(yesterday())
    assert (await api.cached_summary(yesterday()))["workouts"] == 1
    await api.call("DELETE", f"/workouts/{workout_id}", 204)
    assert (await api.summary(yesterday()))["workouts"] == 0


async def check_in_created(api: Api) -> None:
    habit_id = await api.habit()
    assert (await api.cached_summary(today()))["habits_done"] == 0
    await api.check_in(habit_id)
    assert (await api.summary(today()))["habits_done"] == 1


async def check_in_count_changed(api: Api) -> None:
    habit_id = await api.habit(target_count=2)
    await api.check_in(habit_id, count=1)
    assert (await api.cached_summary(today()))["habits_done"] == 0
    await api.check_in(habit_id, count=2, expected=200)
    assert (await api.summary(today()))["habits_done"] == 1


async def check_in_deleted(api: Api) -> None:
    habit_id = await api.habit()
    await api.check_in(habit_id)
    assert (await api.cached_summary(today()))["habits_done"] == 1
    await api.call("DELETE", f"/habits/{habit_id}/check-ins/{today().isoformat()}", 204)
    assert (await api.summary(today()))["habits_done"] == 0


async def habit_created(api: Api) -> None:
    assert (await api.cached_summary(today()))["habits_scheduled"] == 0
    await api.habit()
    assert (await api.summary(today()))["habits_scheduled"] == 1


async def habit_rescheduled(api: Api) -> None:
    habit_id = await api.habit()
    assert (await api.cached_summary(today()))["habits_scheduled"] == 1
    not_today = WEEKDAYS[(today().weekday() + 1) % 7]
    await api.call("PATCH", f"/habits/{habit_id}", 200, json={"schedule": [not_today]})
    assert (await api.summary(today()))["habits_scheduled"] == 0


async def habit_target_raised(api: Api) -> None:
    habit_id = await api.habit()
    await api.check_in(habit_id)
    assert (await api.cached_summary(today()))["habits_done"] == 1
    await api.call("PATCH", f"/habits/{habit_id}", 200, json={"target_count": 2})
    assert (await api.summary(today()))["habits_done"] == 0


async def habit_deleted(api: Api) -> None:
    habit_id = await api.habit()
    assert (await api.cached_summary(today()))["habits_scheduled"] == 1
    await api.call("DELETE", f"/habits/{habit_id}", 204)
    assert (await api.summary(today()))["habits_scheduled"] == 0


async def body_metric_recorded(api: Api) -> None:
    assert (await api.cached_summary(yesterday()))["latest_weight_kg"] is None
    await api.metric(yesterday(), 70)
    assert (await api.summary(yesterday()))["latest_weight_kg"] == 70


async def body_metric_corrected(api: Api) -> None:
    metric_id = await api.metric(yesterday(), 70)
    assert (await api.cached_summary(yesterday()))["latest_weight_kg"] == 70
    await api.call("PATCH", f"/body-metrics/{metric_id}", 200, json={"weight_kg": 71.5})
    assert (await api.summary(yesterday()))["latest_weight_kg"] == 71.5


async def body_metric_deleted(api: Api) -> None:
    await api.metric(yesterday() - timedelta(days=2), 70)
    metric_id = await api.metric(yesterday(), 72)
    assert (await api.cached_summary(yesterday()))["latest_weight_kg"] == 72
    await api.call("DELETE", f"/body-metrics/{metric_id}", 204)
    assert (await api.summary(yesterday()))["latest_weight_kg"] == 70


async def profile_changes_the_targets(api: Api) -> None:
    await api.metric(yesterday() - timedelta(days=3), 80)
    await api.call("PUT", "/profile", 200, json={
        "birth_date": f"{today().year - 30}-01-01", "sex": "male", "height_cm": 180, "activity_level": "moderate",
        "goal": "maintain"})
    assert (await api.cached_summary(yesterday()))["kcal_target"] == 2759
    await api.call("PATCH", "/profile", 200, json={"goal": "lose", "weekly_rate_kg": 0.5})
    assert (await api.summary(yesterday()))["kcal_target"] == 2759 - 550  # 0.5 kg x 7700 kcal / 7 days


@pytest.fixture
async def api(client: httpx.AsyncClient, auth_headers: Any) -> AsyncIterator[Api]:
    redis = aioredis.Redis.from_url(REDIS_URL)
    try:
        yield Api(client, auth_headers, redis)
    finally:
        await redis.aclose()


@pytest.mark.parametrize("case", [
    food_log_created, food_log_edited, food_log_moved_to_another_day, food_log_deleted,
    workout_created, workout_edited, workout_moved_to_another_day, workout_deleted,
    check_in_created, check_in_count_changed, check_in_deleted,
    habit_created, habit_rescheduled, habit_target_raised, habit_deleted,
    body_metric_recorded, body_metric_corrected, body_metric_deleted,
    profile_changes_the_targets,
], ids=lambda case: case.__name__)
async def test_the_write_drops_the_cached_day(api: Api, case: Case) -> None:
    await case(api)


async def test_a_summary_computed_before_a_write_committed_is_not_cached(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The race a plain delete loses: a read computes the old numbers, a write commits and drops the key,
    then the read caches what it computed. The next read must still show the write."""
    real_compute = summary_service.compute_daily_summary

    async def compute_then_someone_logs_food(*args: Any, **kwargs: Any) -> Any:
        summary = await real_compute(*args, **kwargs)
        monkeypatch.setattr(summary_service, "compute_daily_summary", real_compute)  # only the first read
        async with asgi_client(app) as other_device:
            logged = await other_device.post("/api/v1/food-logs", headers=api.headers, json={
                "food_id": BANANA, "grams": 100, "meal": "lunch", "eaten_at": at(yesterday())})
            assert logged.status_code == 201, logged.text
        return summary

    monkeypatch.setattr(summary_service, "compute_daily_summary", compute_then_someone_logs_food)
    assert (await api.summary(yesterday()))["kcal_in"] == 0  # computed before the log existed
    assert (await api.summary(yesterday()))["kcal_in"] == 89.0
