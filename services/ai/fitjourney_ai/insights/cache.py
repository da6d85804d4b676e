"""The written insights cached in Redis per user, period and day: read and write for the endpoint, and
every entry of one user for the export and the erasure."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from redis.asyncio import Redis

from fitjourney_ai.insights.schemas import InsightRead
from fitjourney_common.cache import REDIS_OUTAGE_ERRORS

log = logging.getLogger(__name__)
PREFIX = "ai:insights"


def cache_key(user_id: uuid.UUID, period: str, end: Any) -> str:
    return f"{PREFIX}:{user_id}:{period}:{end.isoformat()}"


async def cached(redis: Redis, key: str) -> InsightRead | None:
    """The cached answer, or None (also when Redis does not answer: the insight is then written anew)."""
    try:
        raw = await redis.get(key)
    except REDIS_OUTAGE_ERRORS:
        return None
    return InsightRead.model_validate_json(raw).model_copy(update={"cached": True}) if raw else None


async def remember(redis: Redis, key: str, insight: InsightRead, seconds: int) -> None:
    if seconds <= 0:
        return
    try:
        await redis.set(key, insight.model_dump_json(), ex=seconds)
    except REDIS_OUTAGE_ERRORS:
        log.warning("insight not cached: Redis unavailable")


async def _keys_of(redis: Redis, user_id: uuid.UUID) -> list[bytes | str]:
    # A user id is a UUID: no glob character can widen the match to another user's keys.
    return [key async for key in redis.scan_iter(match=f"{PREFIX}:{user_id}:*", count=500)]


async def cached_insights(redis: Redis, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every insight cached for the user, as the endpoint answered it. Redis errors propagate (an export
    must not silently leave them out)."""
    found = []
    for key in sorted(await _keys_of(redis, user_id)):
        raw = await redis.get(key)
        if raw:  # expired between the scan and the read
            found.append(InsightRead.model_validate_json(raw).model_dump(mode="json"))
    return found


async def forget_insights(redis: Redis, user_id: uuid.UUID) -> int:
    """Delete every insight cached for the user; how many there were. Redis errors propagate."""
    keys = await _keys_of(redis, user_id)
    return int(await redis.delete(*keys)) if keys else 0
