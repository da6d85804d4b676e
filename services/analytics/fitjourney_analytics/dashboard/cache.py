"""Dashboard cache in Redis: keys carry the user's generation, so one INCR invalidates every period.

A read caches under the generation it saw before computing; an event that changes the user's data
bumps the generation after core committed it, so a result computed from older data lands under a key
nobody reads again (and expires). The local date is in the key too: a new day is a new dashboard.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from redis.asyncio import Redis

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS, JsonCache

NAMESPACE = "analytics:dashboard"


def _generation_key(user_id: uuid.UUID) -> str:
    return f"analytics:gen:{user_id}"


class DashboardCache:
    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self.cache = JsonCache(redis, NAMESPACE, "analytics")

    async def generation(self, user_id: uuid.UUID) -> str | None:
        """The user's current generation ("0" before any change); None when Redis is down (do not cache)."""
        try:
            raw = await self.redis.get(_generation_key(user_id))
        except REDIS_OUTAGE_ERRORS:
            return None
        return "0" if raw is None else (raw.decode() if isinstance(raw, bytes) else str(raw))

    @staticmethod
    def key(user_id: uuid.UUID, generation: str, view: str, today: date) -> str:
        return f"{user_id}:{generation}:{view}:{today.isoformat()}"

    async def get(self, key: str) -> Any | None:
        return await self.cache.get(key)

    async def put(self, key: str, value: Any) -> None:
        await self.cache.set(key, value, self.ttl_seconds)

    async def invalidate(self, user_id: uuid.UUID) -> None:
        # A Redis error propagates: the event is retried, so a stale dashboard cannot outlive the outage.
        await self.redis.incr(_generation_key(user_id))
