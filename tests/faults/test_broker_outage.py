"""RabbitMQ stopped in the middle of a burst of 500 workouts, then started again: core's API keeps taking
writes, and once the broker is back every event is delivered and applied exactly once on both sides of the
calories loop (core API → core worker's relay → ai worker → core worker), and no workout is left without
its calories."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest
from faults_harness import RABBITMQ_URL, ServerProcess, Stack, eventually
from ledger import post_workouts, workout_ledger

from fitjourney_common.testing.rabbitmq import queue_state
from fitjourney_common.testing.tokens import TestSigner

WORKOUTS = 500
USERS = 5


async def consumers_on(queue: str) -> bool:
    state = await queue_state(queue, RABBITMQ_URL)
    return state is not None and state[0] > 0


# Above the waits below (240 s for the ledger), so a pipeline that stalls fails naming what it waited for
# and how far the ledger got, not as pytest-timeout's stack dump.
@pytest.mark.timeout(360)
async def test_broker_down_mid_burst_loses_nothing_and_applies_each_event_once(
    rabbitmq: ServerProcess, stack: Stack, db: asyncpg.Connection, signer: TestSigner, tag: str,
    fault_figures: dict[str, object],
) -> None:
    core = await asyncio.to_thread(stack.start, "core", "api", run_event_worker="false")
    await asyncio.to_thread(stack.start, "core", "worker")
    await asyncio.to_thread(stack.start, "ai", "worker")
    for queue in (f"{tag}.core.events", f"{tag}.ai.events"):
        await eventually(lambda queue=queue: consumers_on(queue), 60, f"a consumer on {queue}")

    users = [uuid.uuid4() for _ in range(USERS)]
    headers = [signer.headers(user) for user in users]
    async with httpx.AsyncClient(base_url=core.base_url, timeout=30) as client:

        async def burst(indexes: range) -> list[tuple[uuid.UUID, int | None]]:
            per_user = await asyncio.gather(*(
                post_workouts(client, headers[u], [i for i in indexes if i % USERS == u], concurrency=2)
                for u in range(USERS)))
            return [result for results in per_user for result in results]

        first_half = asyncio.create_task(burst(range(WORKOUTS // 2)))
        # Stop the broker once the burst is well under way; the second half is written while it is down.
        await eventually(lambda: db.fetchval(
            "select count(*) >= 60 from core.workouts where user_id = any($1)", users), 60, "the burst under way")
        await asyncio.to_thread(rabbitmq.stop)
        written = await first_half
        written += await burst(range(WORKOUTS // 2, WORKOUTS))

        assert [status for _, status in written] == [201] * WORKOUTS, "a write failed while the broker was down"
        waiting = await db.fetchval("select count(*) from core.outbox where user_id = any($1) "
                                    "and published_at is null", users)
        assert waiting > 0, "no event was waiting in the outbox while the broker was down"

        await asyncio.to_thread(rabbitmq.start)
        ledger = await eventually(lambda: workout_ledger(db, users, WORKOUTS), 240,
                                  "every workout's calories after the outage")
        assert ledger.created_events == WORKOUTS
        assert ledger.estimate_events == WORKOUTS and ledger.most_estimates_per_workout == 1
        assert ledger.most_updates_per_workout == 1  # core applied each estimate once

        # What the user sees: every workout has its calories.
        seen = 0
        for user_headers in headers:
            page = (await client.get("/api/v1/workouts", params={"limit": 100}, headers=user_headers)).json()
            assert {item["calories_status"] for item in page["items"]} == {"estimated"}
            assert all(item["calories_burned"] > 0 for item in page["items"])
            seen += len(page["items"])
        assert seen == WORKOUTS

    fault_figures["broker outage"] = {
        "workouts written": WORKOUTS, "events waiting while down": waiting,
        "workout.created published / received by ai / estimates": (
            ledger.created_published, ledger.ai_received, ledger.ai_estimates),
        "workout.calories_estimated published / received by core / workouts with calories": (
            ledger.estimate_events_published, ledger.core_received, ledger.with_calories),
    }

