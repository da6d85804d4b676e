"""Dashboard cache in Redis: keys carry the user's generation, so one INCR invalidates every period.

A read caches under the generation it saw before computing; an event that changes the user's data
bumps the generation after core committed it, so a result computed from older data lands under a key
nobody reads again (and expires). The local date is in the key too: a new day is a new dashboard.
Values are the response bodies as the API sends them, so a hit is answered without any JSON work.

The local date needs the profile's time zone: it is kept beside the generation, tagged with the generation
it was read under, and used only while that generation is current. A profile change is a data change (its
event bumps the generation), so a zone read before it is never used after it; the first read after any
change reads the profile anyway (a miss needs it for the targets), so the zone is re-read for free.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

from pydantic import BaseModel
from redis.asyncio import Redis

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS, JsonCache, outage_log
from fitjourney_common.observability.metrics import CACHE_REQUESTS

NAMESPACE = "analytics:dashboard"


def _generation_key(user_id: uuid.UUID) -> str:
    return f"analytics:gen:{user_id}"


def _zone_key(user_id: uuid.UUID) -> str:
    return f"analytics:zone:{user_id}"


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class DashboardCache:
    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self.cache = JsonCache(redis, NAMESPACE, "analytics")

    async def generation_and_zone(self, user_id: uuid.UUID) -> tuple[str | None, str | None]:
        """The user's current generation ("0" before any change; None when Redis is down: do not cache) and the
        time zone's name stored under that generation (None when there is none: read the profile), in one round
        trip."""
        try:
            raw_generation, raw_zone = await self.redis.mget(_generation_key(user_id), _zone_key(user_id))
        except REDIS_OUTAGE_ERRORS:
            return None, None
        generation = "0" if raw_generation is None else _text(raw_generation)
        if raw_zone is None:
            return generation, None
        stored_under, _, zone = _text(raw_zone).partition(" ")
        return generation, zone if stored_under == generation and zone else None

    @staticmethod
    def key(user_id: uuid.UUID, generation: str, view: str, today: date) -> str:
        # "body": the value is the encoded response (earlier versions stored a dict under keys without it).
        return f"{user_id}:{generation}:{view}:{today.isoformat()}:body"

    async def answer(self, generation: str | None, key: str, compute: Callable[[], Awaitable[bytes]],
                     zone_of: uuid.UUID | None = None, zone: str = "") -> tuple[bytes, bool]:
        """The body stored under `key` and True; else `compute()`'s body (stored when the generation is known,
        None = Redis is down) and False. With `zone_of`, `zone` (read from that user's profile under `generation`)
        is stored too, beside the body when it is computed (one round trip)."""
        remember = (_zone_key(zone_of), f"{generation} {zone}") if zone_of is not None else None
        if generation is not None:
            hit = await self.cache.get_encoded(key)
            if hit is not None:
                if remember is not None:
                    await self._store(*remember)
                return hit, True
        body = await compute()
        if generation is not None:
            await self._store(f"{NAMESPACE}:{key}", body, *(remember or ()))
        return body, False

    async def _store(self, *keys_and_values: str | bytes) -> None:
        """SET each (key, value) pair with the cache's TTL, in one round trip; an outage is logged, not raised."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key, value in zip(keys_and_values[::2], keys_and_values[1::2], strict=True):
                    pipe.set(key, value, ex=max(1, self.ttl_seconds))
                await pipe.execute()
        except REDIS_OUTAGE_ERRORS as exc:
            CACHE_REQUESTS.labels(service="analytics", cache=NAMESPACE, result="error").inc()
            outage_log.warning(f"{NAMESPACE}:set", "cache %s set failed, falling back: %r", NAMESPACE, exc)

    async def invalidate(self, user_id: uuid.UUID) -> None:
        # A Redis error propagates: the event is retried, so a stale dashboard cannot outlive the outage.
        await self.redis.incr(_generation_key(user_id))


def response_body(model: type[BaseModel], value: dict[str, object]) -> bytes:
    """`value` checked against the response model and encoded as FastAPI would answer it (by alias)."""
    return model.model_validate(value).model_dump_json(by_alias=True).encode()
