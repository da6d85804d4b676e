"""Dashboard cache in Redis: keys carry the user's generation, so one INCR invalidates every period.

A read caches under the generation it saw before computing; an event that changes the user's data
bumps the generation after core committed it, so a result computed from older data lands under a key
nobody reads again (and expires). The local date is in the key too: a new day is a new dashboard.
Values are the response bodies as the API sends them, so a hit is answered without any JSON work.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

from pydantic import BaseModel
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
        # "body": the value is the encoded response (earlier versions stored a dict under keys without it).
        return f"{user_id}:{generation}:{view}:{today.isoformat()}:body"

    async def answer(self, generation: str | None, key: str, compute: Callable[[], Awaitable[bytes]],
                     ) -> tuple[bytes, bool]:
        """The body stored under `key` and True; else `compute()`'s body (stored when the generation is known,
        None = Redis is down) and False."""
        if generation is not None:
            hit = await self.cache.get_encoded(key)
            if hit is not None:
                return hit, True
        body = await compute()
        if generation is not None:
            await self.cache.set_encoded(key, body, self.ttl_seconds)
        return body, False

    async def invalidate(self, user_id: uuid.UUID) -> None:
        # A Redis error propagates: the event is retried, so a stale dashboard cannot outlive the outage.
        await self.redis.incr(_generation_key(user_id))


def response_body(model: type[BaseModel], value: dict[str, object]) -> bytes:
    """`value` checked against the response model and encoded as FastAPI would answer it (by alias)."""
    return model.model_validate(value).model_dump_json(by_alias=True).encode()
