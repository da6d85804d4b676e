"""Redis stopped under auth and core, then started again with its data (as a persistent or replicated Redis
comes back): reads and writes keep working from PostgreSQL, rate limits and sign-in lockout fail open as
documented, refresh sessions survive; once Redis is back, limits and lockout hold again and no daily summary
from before the outage is served."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import httpx
from faults_harness import ServerProcess, Stack
from ledger import workout_body

from fitjourney_common.testing.accounts import register_confirmed
from fitjourney_common.testing.smtp import SmtpInbox
from fitjourney_common.testing.tokens import TestSigner

RATE = 10  # core's per-user limit in this test, per minute
PASSWORD = "Correct-horse-42"


async def summary_of(client: httpx.AsyncClient, headers: dict[str, str], day: str) -> dict[str, object]:
    response = await client.get("/api/v1/summary/daily", params={"date": day}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def statuses(client: httpx.AsyncClient, headers: dict[str, str], count: int) -> list[int]:
    return [(await client.get("/api/v1/workouts", headers=headers)).status_code for _ in range(count)]


async def login(auth: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await auth.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_redis_down_falls_back_to_postgres_and_serves_no_stale_summary_after(
    redis_server: ServerProcess, stack: Stack, signer: TestSigner, fault_figures: dict[str, object],
    smtp: tuple[str, SmtpInbox],
) -> None:
    auth_service, core_service = await asyncio.gather(
        asyncio.to_thread(stack.start, "auth", "api"),
        asyncio.to_thread(stack.start, "core", "api", rate_limit_api=f"{RATE}/minute"))
    user = signer.headers()
    first, second = workout_body(1), workout_body(2)
    day = datetime.fromisoformat(str(first["started_at"])).date().isoformat()
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    async with httpx.AsyncClient(base_url=core_service.base_url, timeout=30) as core, \
            httpx.AsyncClient(base_url=auth_service.base_url, timeout=30) as auth:
        # Before: a cached summary, a user over the rate limit, a signed-in account.
        assert (await core.post("/api/v1/workouts", json=first, headers=user)).status_code == 201
        assert (await summary_of(core, user, day))["workouts"] == 1  # computed and cached
        limited = signer.headers()
        assert (await statuses(core, limited, RATE + 1))[-1] == 429
        await register_confirmed(auth, smtp[1], email, PASSWORD, "Ada")
        tokens = (await login(auth, email, PASSWORD)).json()

        await asyncio.to_thread(redis_server.stop)

        # During: PostgreSQL answers reads and writes; the summary is computed, never from the old cache.
        assert (await core.post("/api/v1/workouts", json=second, headers=user)).status_code == 201
        assert (await summary_of(core, user, day))["workouts"] == 2
        listed = await core.get("/api/v1/workouts", headers=user)
        assert listed.status_code == 200 and len(listed.json()["items"]) == 2
        # Rate limits fail open (the edge's per-address limit still applies): the limited user gets through.
        assert await statuses(core, limited, 3) == [200] * 3
        # Lockout fails open: failures are not counted, so no 429, and the owner still signs in.
        failures = [(await login(auth, email, "Wrong-horse-42")).status_code for _ in range(7)]
        assert failures == [401] * 7
        assert (await login(auth, email, PASSWORD)).status_code == 200
        # Refresh sessions live in PostgreSQL: the token rotates.
        refreshed = await auth.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        assert (await auth.get("/api/v1/auth/me", headers={
            "authorization": f"Bearer {refreshed.json()['access_token']}"})).status_code == 200

        await asyncio.to_thread(redis_server.start)  # with its data: the summary cached before is back

        # After: the summary cached before the outage is not served, and caching works again.
        assert (await summary_of(core, user, day))["workouts"] == 2
        assert (await summary_of(core, user, day))["workouts"] == 2
        third = workout_body(3)
        assert (await core.post("/api/v1/workouts", json=third, headers=user)).status_code == 201
        assert (await summary_of(core, user, day))["workouts"] == 3
        # Limits hold again: a new user gets RATE requests, then 429 with Retry-After.
        fresh = signer.headers()
        assert await statuses(core, fresh, RATE + 1) == [200] * RATE + [429]
        # Lockout holds again: the 6th attempt of a burst of failures is refused.
        locked = [(await login(auth, email, "Wrong-horse-42")).status_code for _ in range(6)]
        assert locked[:5] == [401] * 5 and locked[5] == 429
        # The session refreshed during the outage goes on; the token spent during the outage stays spent
        # (although Redis came back with it cached as unused), and its reuse ends the session.
        again = await auth.post("/api/v1/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]})
        assert again.status_code == 200, again.text
        reused = await auth.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert reused.status_code == 401
        ended = await auth.post("/api/v1/auth/refresh", json={"refresh_token": again.json()["refresh_token"]})
        assert ended.status_code == 401

    fault_figures["redis outage"] = {
        "during": "writes 201, reads and summaries from PostgreSQL, rate limit and lockout open, refresh rotates",
        "after": "summary correct (no stale cache), 429 after the limit and after 5 failed sign-ins again",
    }
