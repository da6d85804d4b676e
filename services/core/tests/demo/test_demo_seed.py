"""The seeder (`fitjourney-core seed-demo`, `make demo`, the benchmarks) on PostgreSQL as the RLS role:
the rows exist, and what a user opens first shows them (summary, streaks, sync feed, weight trend)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from statistics import mean
from typing import Any

import httpx
import pytest
from core_helpers import broker_listener, rows_of_user
from fastapi import FastAPI

from fitjourney_core.cli import describe, main, seed
from fitjourney_core.settings import CoreSettings

DAYS = 30


def _auth(make_token: Any, user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(user_id)[1]}"}


@pytest.fixture(scope="module")
async def seeded(settings: CoreSettings, app: FastAPI) -> list[uuid.UUID]:
    users = [uuid.uuid4() for _ in range(3)]
    result = await seed(settings, users, DAYS, concurrency=2, time_zone="Europe/Berlin")
    assert sorted(result.seeded) == sorted(users) and result.skipped == []
    return users


async def test_every_kind_of_history_is_written_for_each_user(seeded: list[uuid.UUID], app: FastAPI) -> None:
    for user_id in seeded:
        assert await rows_of_user(app, "workouts", user_id) >= DAYS // 3
        assert await rows_of_user(app, "food_logs", user_id) >= DAYS * 5
        assert await rows_of_user(app, "body_metrics", user_id) >= DAYS // 2
        assert await rows_of_user(app, "habits", user_id) == 3
        assert await rows_of_user(app, "habit_check_ins", user_id) >= DAYS
        assert await rows_of_user(app, "journal_entries", user_id) >= DAYS // 3
        assert await rows_of_user(app, "profiles", user_id) == 1


async def test_yesterday_has_a_full_summary_and_habits_run_streaks(
    seeded: list[uuid.UUID], client: httpx.AsyncClient, make_token: Any,
) -> None:
    headers = _auth(make_token, seeded[0])
    today = date.fromisoformat((await client.get("/api/v1/summary/daily", headers=headers)).json()["date"])
    day = await client.get("/api/v1/summary/daily", headers=headers,
                           params={"date": (today - timedelta(days=1)).isoformat()})
    assert day.status_code == 200, day.text
    summary = day.json()
    assert summary["kcal_in"] > 600 and summary["protein_g"] > 20 and summary["water_ml"] >= 750
    assert summary["kcal_target"] is not None and summary["latest_weight_kg"] is not None
    assert summary["habits_done"] >= 1
    habits = (await client.get("/api/v1/habits", headers=headers)).json()["items"]
    assert {habit["name"] for habit in habits} == {"Drink 2 litres of water", "Stretch for 10 minutes", "Meditate"}
    assert all(habit["current_streak"] > 0 for habit in habits)
    # Streaks and misses: the daily "Meditate" (kept 60 % of the time) has been broken at some point.
    meditate = next(habit for habit in habits if habit["name"] == "Meditate")
    assert meditate["longest_streak"] < DAYS


async def test_workouts_are_of_several_kinds_with_calories(
    seeded: list[uuid.UUID], client: httpx.AsyncClient, make_token: Any,
) -> None:
    workouts = (await client.get("/api/v1/workouts", headers=_auth(make_token, seeded[1]),
                                 params={"limit": 100})).json()["items"]
    assert len({workout["activity"] for workout in workouts}) >= 4
    assert all(workout["calories_status"] == "estimated" and workout["calories_burned"] > 0 for workout in workouts)


async def test_weight_trends_down(seeded: list[uuid.UUID], client: httpx.AsyncClient, make_token: Any) -> None:
    metrics = (await client.get("/api/v1/body-metrics", headers=_auth(make_token, seeded[2]),
                                params={"limit": 100})).json()["items"]
    weights = [m["weight_kg"] for m in sorted(metrics, key=lambda m: m["measured_at"]) if m["weight_kg"]]
    assert mean(weights[-7:]) < mean(weights[:7]) - 1.0  # about 0.5 kg a week over a month


async def test_the_sync_feed_and_the_journal_carry_the_history(
    seeded: list[uuid.UUID], client: httpx.AsyncClient, make_token: Any,
) -> None:
    headers = _auth(make_token, seeded[0])
    feed = (await client.get("/api/v1/sync", headers=headers, params={"since": "", "limit": 500})).json()
    kinds = {change["resource"] for change in feed["changes"]}
    assert {"habit", "workout", "food_log", "body_metric", "check_in", "journal"} <= kinds
    moments = [change["changed_at"] for change in feed["changes"]]
    assert moments == sorted(moments), "the feed replays the history in the order it happened"
    entries = (await client.get("/api/v1/journal", headers=headers, params={"limit": 5})).json()["items"]
    assert entries and all(entry["text"] for entry in entries)  # decrypts with the service's key


async def test_seeding_again_leaves_a_diary_alone(seeded: list[uuid.UUID], settings: CoreSettings,
                                                  app: FastAPI) -> None:
    before = await rows_of_user(app, "food_logs", seeded[0])
    result = await seed(settings, [seeded[0]], DAYS)
    assert result.skipped == [seeded[0]] and result.seeded == []
    assert await rows_of_user(app, "food_logs", seeded[0]) == before
    assert "skipped 1 that already have a diary" in describe(result, DAYS)


async def test_the_history_reaches_other_services_as_lifecycle_events(
    settings: CoreSettings, app: FastAPI, wait_for: Any,
) -> None:
    user_id = uuid.uuid4()
    async with broker_listener(settings.events_exchange, "workout.created", "profile.created",
                               "food_log.created") as other_service:
        result = await seed(settings, [user_id], 7)
        expected = result.rows["workouts"] + 1 + result.rows["food_logs"]

        async def mine() -> list[dict[str, Any]]:
            return [event for event in await other_service.drain() if event["user_id"] == str(user_id)]

        events = await wait_for(lambda: _all_arrived(mine, expected), timeout=30)
    workouts = [event for event in events if event["type"] == "workout.created"]
    assert len(workouts) == result.rows["workouts"] > 0
    # Estimated already: an estimator is not asked again, a read model still learns the calories.
    assert all(event["data"]["estimate_needed"] is False and event["data"]["after"]["calories_status"] == "estimated"
               for event in workouts)
    profile = next(event for event in events if event["type"] == "profile.created")
    assert profile["data"]["after"]["goal"] == "lose"
    assert all(len(event["data"]["dates"]) == 1 for event in events if event["type"] == "food_log.created")


async def _all_arrived(received: Any, expected: int) -> list[dict[str, Any]] | None:
    events: list[dict[str, Any]] = await received()
    return events if len(events) >= expected else None


def test_the_command_refuses_a_nonsense_day_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed-demo", "--random-users", "1", "--days", "0"], settings=CoreSettings(environment="test")) == 2
    assert "--days must be between 1 and 3660" in capsys.readouterr().err
