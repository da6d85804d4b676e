"""Per-user rate limits hold across replicas: two uvicorn processes of core and two of ai, with their deployed
limits (100 requests a minute per user on core, 10 on ai's endpoints), count in the one Redis they share, so a
user gets the same budget whichever replica a load balancer sends each request to.

The limits are per minute and every request here is sent well within one (a few seconds); nothing waits for
the window to pass.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import ExitStack

import httpx
import pytest
from contract_harness import RunningService, register_account, sign_in
from security_harness import Backends

CORE_LIMIT, AI_LIMIT = 100, 10  # the deployed defaults (CommonSettings, AiSettings): not set by this test
WINDOW_SECONDS = 60
# Every request of a user's budget must be sent inside one window, or the first would free slots again.
BUDGET_SECONDS = WINDOW_SECONDS - 15

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
async def replicas(security_backends: Backends) -> AsyncIterator[dict[str, list[RunningService]]]:
    stack = ExitStack()
    try:
        auth, core, ai = await asyncio.gather(
            security_backends.start(stack, "auth"), security_backends.start(stack, "core", replicas=2),
            security_backends.start(stack, "ai", replicas=2))
        yield {"auth": auth, "core": core, "ai": ai}
    finally:
        await asyncio.to_thread(stack.close)


async def signed_in_headers(auth: RunningService, label: str) -> dict[str, str]:
    """A new account, signed in through auth's process: the bearer header of its access token."""
    email = await register_account(auth, label)
    async with httpx.AsyncClient(base_url=auth.base_url, timeout=30) as http:
        tokens = await sign_in(http, email)
    return {"authorization": f"Bearer {tokens['access_token']}"}


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 429 and problem["type"].endswith("/rate-limited"), problem
    assert 1 <= int(response.headers["Retry-After"]) <= WINDOW_SECONDS


class Replicas:
    """One HTTP client per replica of a service; `send(i, ...)` goes to replica i % n (round robin)."""

    def __init__(self, services: list[RunningService]) -> None:
        self.clients = [httpx.AsyncClient(base_url=s.base_url, timeout=30) for s in services]

    async def send(self, i: int, method: str, path: str, **kwargs: object) -> httpx.Response:
        return await self.clients[i % len(self.clients)].request(method, path, **kwargs)  # type: ignore[arg-type]

    async def __aenter__(self) -> Replicas:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self.clients:
            await client.aclose()


async def test_core_counts_100_requests_a_minute_per_user_across_two_replicas(
    replicas: dict[str, list[RunningService]], security_figures: dict[str, object],
) -> None:
    [auth] = replicas["auth"]
    ada, bob = await signed_in_headers(auth, "ada"), await signed_in_headers(auth, "bob")
    async with Replicas(replicas["core"]) as core:
        started = time.monotonic()
        # Ada, one request at a time, alternating between the replicas: each replica sees only 50 of them.
        answers = [(await core.send(i, "GET", "/api/v1/workouts", headers=ada)).status_code
                   for i in range(CORE_LIMIT)]
        over = [await core.send(i, "GET", "/api/v1/workouts", headers=ada) for i in range(2)]
        assert time.monotonic() - started < BUDGET_SECONDS, "too slow to test a per-minute limit"

        assert answers == [200] * CORE_LIMIT
        for response in over:  # the 101st on one replica, the 102nd on the other
            assert_rate_limited(response)

        # Bob is not held back by Ada: 120 requests at once, spread over both replicas, and exactly his 100
        # get through (the count is atomic in Redis, not per process or racy between the two).
        in_flight = asyncio.Semaphore(16)

        async def bob_request(i: int) -> int:
            async with in_flight:
                return (await core.send(i, "GET", "/api/v1/workouts", headers=bob)).status_code

        started = time.monotonic()
        burst = Counter(await asyncio.gather(*(bob_request(i) for i in range(CORE_LIMIT + 20))))
        assert time.monotonic() - started < BUDGET_SECONDS, "too slow to test a per-minute limit"
        assert burst == {200: CORE_LIMIT, 429: 20}
        assert_rate_limited(await core.send(1, "GET", "/api/v1/workouts", headers=bob))
    security_figures["core rate limit across 2 replicas"] = {
        "one user, sequential": {"sent": CORE_LIMIT + 2, "200": answers.count(200), "429": len(over)},
        "another user, 16 in flight": {"sent": CORE_LIMIT + 20, "200": burst[200], "429": burst[429]},
    }


async def test_ai_endpoints_allow_10_requests_a_minute_per_user_across_two_replicas(
    replicas: dict[str, list[RunningService]], security_figures: dict[str, object],
) -> None:
    [auth] = replicas["auth"]
    cleo = await signed_in_headers(auth, "cleo")
    # Every kind of AI endpoint counts against the one budget.
    calls: list[tuple[str, str, dict[str, object]]] = [
        ("POST", "/api/v1/ai/calorie-estimate", {"json": {"activity": "running", "duration_min": 30}}),
        ("GET", "/api/v1/ai/trends", {}),
        ("GET", "/api/v1/ai/recommendations", {}),
        ("GET", "/api/v1/ai/insights", {}),
    ]
    async with Replicas(replicas["ai"]) as ai, Replicas(replicas["core"]) as core:
        started = time.monotonic()
        answers = []
        for i in range(AI_LIMIT + 2):
            method, path, kwargs = calls[i % len(calls)]
            answers.append(await ai.send(i, method, path, headers=cleo, **kwargs))
        assert time.monotonic() - started < BUDGET_SECONDS, "too slow to test a per-minute limit"

        assert [r.status_code for r in answers[:AI_LIMIT]] == [200] * AI_LIMIT, [r.text for r in answers]
        for response in answers[AI_LIMIT:]:  # on each replica
            assert_rate_limited(response)
        # ai's budget is its own: Cleo's requests to core still go through.
        assert (await core.send(0, "GET", "/api/v1/workouts", headers=cleo)).status_code == 200
    security_figures["ai rate limit across 2 replicas"] = {
        "sent": len(answers), "200": sum(r.status_code == 200 for r in answers),
        "429": sum(r.status_code == 429 for r in answers)}
