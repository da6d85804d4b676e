"""Rate limiter on the real Redis and in memory: 429 with Retry-After, separate identities, failing open."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as aioredis
from fastapi import Depends, FastAPI, Request

from fitjourney_common.errors import TooManyRequests, install_error_handlers
from fitjourney_common.ratelimit import RateLimiter, create_rate_limiter, outage_log
from fitjourney_common.testing.redis import redis_url_for_tests

REAL_REDIS_URL = redis_url_for_tests(13)
DOWN_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture(params=["redis", "memory"])
async def limiter(request: pytest.FixtureRequest, unique: str) -> AsyncIterator[RateLimiter]:
    if request.param == "redis":
        limiter = create_rate_limiter(REAL_REDIS_URL, key_prefix=f"ratelimit-{unique}")
        yield limiter
        await limiter.reset()
    else:
        yield create_rate_limiter(f"memory://{unique}")


async def test_over_the_limit_raises_429_with_a_retry_after(limiter: RateLimiter, unique: str) -> None:
    for _ in range(3):
        await limiter.check("3/minute", "user", unique)

    with pytest.raises(TooManyRequests) as caught:
        await limiter.check("3/minute", "user", unique)

    error = caught.value
    assert error.status == 429
    assert 1 <= error.extra["retry_after"] <= 60
    assert error.headers["Retry-After"] == str(error.extra["retry_after"])


async def test_identities_and_rates_do_not_interfere(limiter: RateLimiter, unique: str) -> None:
    await limiter.check("1/minute", "user", f"a-{unique}")
    with pytest.raises(TooManyRequests):
        await limiter.check("1/minute", "user", f"a-{unique}")

    await limiter.check("1/minute", "user", f"b-{unique}")  # another user still has their budget
    await limiter.check("2/minute", "user", f"a-{unique}")  # and so does another limit for the same user


async def test_reset_forgets_every_counter(limiter: RateLimiter, unique: str) -> None:
    await limiter.check("1/hour", unique)
    with pytest.raises(TooManyRequests):
        await limiter.check("1/hour", unique)

    await limiter.reset()

    await limiter.check("1/hour", unique)


async def test_several_limits_in_one_rate_string(unique: str) -> None:
    limiter = create_rate_limiter(f"memory://{unique}")
    await limiter.check("5/hour;2/minute", unique)
    await limiter.check("5/hour;2/minute", unique)
    with pytest.raises(TooManyRequests) as caught:
        await limiter.check("5/hour;2/minute", unique)
    assert 1 <= caught.value.extra["retry_after"] <= 60  # the minute limit bit, not the hour one


async def test_memory_limits_are_shared_by_limiters_of_the_same_url(unique: str) -> None:
    # Embedded dev mode: services in one process build their own limiter but count the same budget.
    core, ai = create_rate_limiter(f"memory://{unique}"), create_rate_limiter(f"memory://{unique}")
    await core.check("1/minute", "user", unique)
    with pytest.raises(TooManyRequests):
        await ai.check("1/minute", "user", unique)


async def test_redis_down_fails_open_with_a_warning(caplog: pytest.LogCaptureFixture, unique: str) -> None:
    limiter = create_rate_limiter(DOWN_REDIS_URL)
    outage_log.reset()  # an earlier test may have logged the same outage within the throttle interval

    with caplog.at_level(logging.WARNING, logger="fitjourney_common.ratelimit"):
        for _ in range(5):
            await limiter.check("1/minute", "user", unique)

    assert any("allowing the request" in r.getMessage() for r in caplog.records)


async def test_api_answers_429_problem_with_retry_after_header(unique: str) -> None:
    limiter = create_rate_limiter(REAL_REDIS_URL, key_prefix=f"ratelimit-{unique}")

    async def per_user_limit(request: Request) -> None:
        await limiter.check("2/minute", "api", request.headers["x-user"])

    app = FastAPI(dependencies=[Depends(per_user_limit)])
    install_error_handlers(app)

    @app.get("/api/v1/workouts")
    async def list_workouts() -> list[str]:
        return []

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        statuses = [(await client.get("/api/v1/workouts", headers={"x-user": unique})).status_code
                    for _ in range(2)]
        limited = await client.get("/api/v1/workouts", headers={"x-user": unique})
        other_user = await client.get("/api/v1/workouts", headers={"x-user": f"other-{unique}"})

    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["type"].endswith("/rate-limited")
    assert other_user.status_code == 200
    await limiter.reset()


def test_unknown_url_is_refused() -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        create_rate_limiter("memcached://127.0.0.1:11211")


async def test_markers_and_the_limit_in_one_script(unique: str) -> None:
    """A present marker is named and costs no slot; without one the hit counts as `check` counts it, up to
    the limit (both limits of a rate string); the mix of the two on another identity changes nothing."""
    limiter = create_rate_limiter(REAL_REDIS_URL, key_prefix=f"ratelimit-{unique}")
    redis = aioredis.from_url(REAL_REDIS_URL)
    marker, absent = f"marker-{unique}", f"absent-{unique}"
    try:
        assert limiter.looks_up_markers
        await redis.set(marker, b"1", ex=60)
        for _ in range(3):
            assert await limiter.check_unless_marked([absent, marker], "2/minute;5/hour", "user", unique) == 1
        assert await limiter.check_unless_marked([absent], "2/minute;5/hour", "user", unique) is None
        assert await limiter.check_unless_marked([], "2/minute;5/hour", "user", unique) is None
        with pytest.raises(TooManyRequests) as caught:
            await limiter.check_unless_marked([absent], "2/minute;5/hour", "user", unique)
        assert 1 <= caught.value.extra["retry_after"] <= 60
        with pytest.raises(TooManyRequests):  # what `check` counted is the same window
            await limiter.check("2/minute", "user", unique)
        await limiter.check_unless_marked([absent], "3/minute;2/hour", "user", f"b-{unique}")
        await limiter.check_unless_marked([absent], "3/minute;2/hour", "user", f"b-{unique}")
        with pytest.raises(TooManyRequests):  # the second limit of the string holds too
            await limiter.check_unless_marked([absent], "3/minute;2/hour", "user", f"b-{unique}")
    finally:
        await redis.delete(marker)
        await redis.aclose()
        await limiter.reset()


async def test_markers_in_memory_are_not_looked_up_and_redis_down_allows(unique: str) -> None:
    assert not create_rate_limiter(f"memory://{unique}").looks_up_markers
    down = create_rate_limiter(DOWN_REDIS_URL)
    assert await down.check_unless_marked([f"marker-{unique}"], "1/minute", "user", unique) is None
