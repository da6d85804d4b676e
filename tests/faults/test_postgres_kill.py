"""PostgreSQL connections of core killed (`pg_terminate_backend`) in the middle of requests: the request
answers 503 problem+json (never a 500), nothing is half-written, and the pool recovers on its own.

The machine's PostgreSQL stays up: only the backends of this suite's database and core's role are ended."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
from faults_harness import FaultDatabase, Stack, eventually
from ledger import workout_body, workout_traces

from fitjourney_common.testing.tokens import TestSigner

CORE_ROLE = "fitjourney_core_app"
PROBLEM = "application/problem+json"


async def core_backends(db: asyncpg.Connection, *, waiting_on_lock: bool = False) -> list[int]:
    query = ("select pid from pg_stat_activity where datname = current_database() and usename = $1"
             + (" and wait_event_type = 'Lock'" if waiting_on_lock else ""))
    return [r["pid"] for r in await db.fetch(query, CORE_ROLE)]


async def terminate(db: asyncpg.Connection, pids: list[int]) -> int:
    return int(await db.fetchval("select count(*) filter (where pg_terminate_backend(pid)) from unnest($1::int[]) "
                                 "as pid", pids))


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"].endswith("/unavailable")
    assert int(response.headers["retry-after"]) >= 1


async def test_connection_killed_mid_request_is_a_clean_503_and_the_pool_recovers(
    stack: Stack, fault_database: FaultDatabase, db: asyncpg.Connection, signer: TestSigner,
    fault_figures: dict[str, object],
) -> None:
    core = await asyncio.to_thread(stack.start, "core", "api")
    headers = signer.headers()
    async with httpx.AsyncClient(base_url=core.base_url, timeout=30, headers=headers) as client:
        warm = [workout_body(i) for i in range(5)]
        assert [(await client.post("/api/v1/workouts", json=body)).status_code for body in warm] == [201] * 5

        # 1. A request blocked inside its transaction (the table is locked), whose connection is then ended.
        body = workout_body(100)
        locker = await asyncpg.connect(fault_database.dsn)
        try:
            transaction = locker.transaction()
            await transaction.start()
            await locker.execute("lock table core.workouts in share row exclusive mode")
            request = asyncio.create_task(client.post("/api/v1/workouts", json=body))
            blocked = await eventually(lambda: core_backends(db, waiting_on_lock=True), 30, "the request blocked")
            assert await terminate(db, blocked) == 1
            response = await request
        finally:
            await transaction.rollback()
            await locker.close()
        assert_unavailable(response)
        workout_id = uuid.UUID(str(body["id"]))
        assert (await workout_traces(db, [workout_id]))[workout_id].absent, "the failed request left a part"
        # The client sends the same create again (same client id): it is written once.
        assert (await client.post("/api/v1/workouts", json=body)).status_code == 201
        assert (await workout_traces(db, [workout_id]))[workout_id].whole

        # 2. Every connection of core ended at once, idle ones in the pool included: each request either
        # succeeds or is a clean 503, and the pool is whole again after at most a pool's worth of failures.
        killed = await terminate(db, await core_backends(db))
        assert killed >= 1
        after_kill = []
        for index in range(200, 220):
            answer = await client.post("/api/v1/workouts", json=workout_body(index))
            if answer.status_code != 201:
                assert_unavailable(answer)
            after_kill.append(answer.status_code)
        assert after_kill[-10:] == [201] * 10, after_kill

        # 3. A burst with connections ended while it runs: every answer is 201 or a clean 503, and every
        # workout is either whole (row, event, sync change) or absent.
        bodies = [workout_body(i) for i in range(300, 420)]
        answers: dict[uuid.UUID, int] = {}
        kills = 0

        async def writer(chunk: list[dict[str, object]]) -> None:
            for item in chunk:
                answer = await client.post("/api/v1/workouts", json=item)
                if answer.status_code != 201:
                    assert_unavailable(answer)
                answers[uuid.UUID(str(item["id"]))] = answer.status_code

        writers = asyncio.gather(*(writer(bodies[i::6]) for i in range(6)))
        while not writers.done():
            kills += await terminate(db, await core_backends(db))
            await asyncio.wait({writers}, timeout=0.3)
        await writers
        traces = await workout_traces(db, list(answers))
        assert all(trace.whole or trace.absent for trace in traces.values()), "a write was left half-done"
        assert all(traces[i].whole for i, status in answers.items() if status == 201), "a 201 was not written"

        final = await client.post("/api/v1/workouts", json=workout_body(999))
        assert final.status_code == 201, "the pool did not recover"

    fault_figures["postgres connections killed"] = {
        "mid-request kill": "503 problem+json, nothing written, the retry 201",
        "requests after every connection was killed (status counts)": {
            s: after_kill.count(s) for s in sorted(set(after_kill))},
        "burst of 120 writes, connections killed": kills,
        "burst answers (status counts)": {s: list(answers.values()).count(s) for s in sorted(set(answers.values()))},
        "written whole / absent": (sum(t.whole for t in traces.values()), sum(t.absent for t in traces.values())),
    }
