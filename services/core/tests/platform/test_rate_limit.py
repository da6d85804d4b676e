"""Per-user rate limit: over the limit the API answers 429 with Retry-After; other users are unaffected."""

from __future__ import annotations

from core_conftest import asgi_client, start_app
from core_helpers import workout_body

from fitjourney_core.settings import CoreSettings


async def test_429_with_retry_after_once_a_user_is_over_the_limit(
    settings: CoreSettings, auth_headers, other_auth_headers,
) -> None:
    limited = settings.model_copy(update={"rate_limit_api": "3/minute", "run_event_worker": False})
    async for app in start_app(limited, wait_for_broker=False):
        async with asgi_client(app) as client:
            statuses = [(await client.get("/api/v1/workouts", headers=auth_headers)).status_code for _ in range(3)]
            assert statuses == [200, 200, 200]
            over = await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)
            assert over.status_code == 429
            assert 1 <= int(over.headers["Retry-After"]) <= 60
            assert over.headers["content-type"].startswith("application/problem+json")
            assert (await client.get("/api/v1/workouts", headers=other_auth_headers)).status_code == 200
