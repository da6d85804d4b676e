"""JsonCache and create_redis against the real Redis, the in-process one, and a Redis that is down."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from decimal import Decimal

import pytest
import redis.asyncio as aioredis
from prometheus_client import REGISTRY

from fitjourney_common.cache import JsonCache, create_redis, outage_log, redis_ping
from fitjourney_common.testing.redis import redis_url_for_tests

REAL_REDIS_URL = redis_url_for_tests(13)
DOWN_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once, like a Redis that is down


def cache_count(service: str, cache: str, result: str) -> float:
    value = REGISTRY.get_sample_value(
        "cache_requests_total", {"service": service, "cache": cache, "result": result})
    return value or 0.0


async def test_real_redis_round_trip_keeps_rich_types_as_strings(real_redis: aioredis.Redis, unique: str) -> None:
    cache = JsonCache(create_redis(REAL_REDIS_URL), namespace=f"ns-{unique}", service=f"svc-{unique}")
    workout_id = uuid.uuid4()
    value = {
        "id": workout_id,
        "started_at": dt.datetime(2024, 5, 1, 7, 30, tzinfo=dt.UTC),
        "day": dt.date(2024, 5, 1),
        "kcal": Decimal("312.50"),
        "tags": ["run"],
    }

    await cache.set("workout:1", value, ttl_seconds=60)

    assert await cache.get("workout:1") == {
        "id": str(workout_id),
        "started_at": "2024-05-01T07:30:00+00:00",
        "day": "2024-05-01",
        "kcal": "312.50",
        "tags": ["run"],
    }
    # Stored under the namespace, with the TTL the caller asked for.
    ttl = await real_redis.ttl(f"ns-{unique}:workout:1")
    assert 0 < ttl <= 60
    await cache.redis.aclose()


async def test_hits_and_misses_are_counted(real_redis: aioredis.Redis, unique: str) -> None:
    service, namespace = f"svc-{unique}", f"ns-{unique}"
    cache = JsonCache(create_redis(REAL_REDIS_URL), namespace=namespace, service=service)

    assert await cache.get("absent") is None
    await cache.set("present", [1, 2], ttl_seconds=30)
    assert await cache.get("present") == [1, 2]
    assert await cache.get("present") == [1, 2]

    assert cache_count(service, namespace, "miss") == 1
    assert cache_count(service, namespace, "hit") == 2
    assert cache_count(service, namespace, "error") == 0
    await cache.redis.aclose()


async def test_delete_and_delete_pattern_remove_only_what_was_asked(
    real_redis: aioredis.Redis, unique: str,
) -> None:
    cache = JsonCache(create_redis(REAL_REDIS_URL), namespace=f"ns-{unique}", service="tests")
    other = JsonCache(create_redis(REAL_REDIS_URL), namespace=f"other-{unique}", service="tests")
    for i in range(3):
        await cache.set(f"user:1:day:{i}", i, ttl_seconds=60)
    await cache.set("user:2:day:0", "kept", ttl_seconds=60)
    await cache.set("single", "x", ttl_seconds=60)
    await other.set("user:1:day:0", "other namespace", ttl_seconds=60)

    await cache.delete("single", "never-existed")
    await cache.delete_pattern("user:1:*")

    assert await cache.get("single") is None
    assert [await cache.get(f"user:1:day:{i}") for i in range(3)] == [None, None, None]
    assert await cache.get("user:2:day:0") == "kept"
    assert await other.get("user:1:day:0") == "other namespace"
    await cache.redis.aclose()
    await other.redis.aclose()


async def test_redis_down_behaves_as_a_miss_and_never_raises(
    unique: str, caplog: pytest.LogCaptureFixture,
) -> None:
    service, namespace = f"svc-{unique}", f"ns-{unique}"
    cache = JsonCache(create_redis(DOWN_REDIS_URL), namespace=namespace, service=service)
    outage_log.reset()  # an earlier test may have logged an outage within the throttle interval

    with caplog.at_level(logging.WARNING, logger="fitjourney_common.cache"):
        await cache.set("k", {"a": 1}, ttl_seconds=30)
        assert await cache.get("k") is None
        await cache.delete("k")
        await cache.delete_pattern("*")

    # Fails fast, so a request falls back to Postgres instead of hanging on the cache.
    assert cache.redis.connection_pool.connection_kwargs["socket_connect_timeout"] <= 1
    assert cache_count(service, namespace, "error") == 4
    assert cache_count(service, namespace, "hit") == 0
    assert any("falling back" in r.getMessage() for r in caplog.records)
    assert await redis_ping(cache.redis) is False
    await cache.redis.aclose()


async def test_redis_ping_answers_for_a_live_redis() -> None:
    client = create_redis(REAL_REDIS_URL)
    assert await redis_ping(client) is True
    await client.aclose()


async def test_memory_url_shares_data_between_clients_of_the_same_url(unique: str) -> None:
    first = JsonCache(create_redis(f"memory://{unique}"), namespace="profiles", service="auth")
    second = JsonCache(create_redis(f"memory://{unique}"), namespace="profiles", service="core")
    elsewhere = JsonCache(create_redis(f"memory://{unique}-other"), namespace="profiles", service="core")

    await first.set("42", {"name": "Ada"}, ttl_seconds=60)

    assert await second.get("42") == {"name": "Ada"}
    assert await elsewhere.get("42") is None
    assert await redis_ping(first.redis) is True


async def test_memory_url_shares_pub_sub_between_clients(unique: str) -> None:
    publisher, subscriber = create_redis(f"memory://{unique}"), create_redis(f"memory://{unique}")
    pubsub = subscriber.pubsub()
    await pubsub.subscribe("notifications:42")
    await pubsub.get_message(timeout=1)  # the subscribe confirmation

    await publisher.publish("notifications:42", b"workout saved")

    message = None
    for _ in range(50):
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if message:
            break
        await asyncio.sleep(0.01)
    assert message is not None and message["data"] == b"workout saved"
    await pubsub.aclose()


async def test_memory_cache_expires_entries(unique: str) -> None:
    redis = create_redis(f"memory://{unique}")
    cache = JsonCache(redis, namespace="daily", service="core")
    await cache.set("summary", {"kcal": 1800}, ttl_seconds=30)
    assert 0 < await redis.ttl("daily:summary") <= 30


async def test_value_that_cannot_be_encoded_is_a_caller_bug(unique: str) -> None:
    cache = JsonCache(create_redis(f"memory://{unique}"), namespace="x", service="core")
    with pytest.raises(TypeError):
        await cache.set("k", object(), ttl_seconds=10)


def test_unknown_redis_url_is_refused() -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        create_redis("http://127.0.0.1:6379")
