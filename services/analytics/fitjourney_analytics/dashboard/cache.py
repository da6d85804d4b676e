"""Dashboard cache in Redis: one key per user and view, its value tagged with the generation, local date and
time zone it was computed under; one INCR of the user's generation invalidates every view.

A read fetches the generation and the view's value in one MGET. The value is answered only when it was computed
under the current generation and for today in its own zone: an event that changes the user's data bumps the
generation after core committed it, so a value computed from older data is never answered after it (a read
tags its value with the generation it saw *before* computing). The zone needs no generation of its own: a
profile change is a data change (its event bumps the generation). A new day is a miss (the date differs).
Values hold the response body as the API sends it, so a hit is answered without any JSON work.

A miss reuses the stored zone, whatever its generation, to read the profile and the data in one statement
(`dashboard.service.load_current`); the profile then says whether the zone still holds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from redis.asyncio import Redis

from fitjourney_common.cache import JsonCache

NAMESPACE = "analytics:dashboard"


def _generation_key(user_id: uuid.UUID) -> str:
    return f"analytics:gen:{user_id}"


def _view_key(user_id: uuid.UUID, view: str) -> str:
    # Inside the namespace (`analytics:dashboard:<user>:<view>:tagged`). "tagged": the value starts with its
    # generation, date and zone (earlier versions put those in the key).
    return f"{user_id}:{view}:tagged"


@dataclass(frozen=True)
class Stored:
    """A cached view: the generation, local date (ISO) and zone it was computed under, and its response body."""

    generation: str
    day: str
    zone: str
    body: bytes

    @classmethod
    def parse(cls, raw: bytes | str) -> Stored | None:
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        header, newline, body = data.partition(b"\n")
        fields = header.decode(errors="replace").split(" ")
        if not newline or len(fields) != 3 or not all(fields):
            return None
        return cls(fields[0], fields[1], fields[2], body)

    def encoded(self) -> bytes:
        return f"{self.generation} {self.day} {self.zone}\n".encode() + self.body


class DashboardCache:
    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        # Its raw reads and writes: the outage handling and the hit/miss/error series every cache shares.
        self.cache = JsonCache(redis, NAMESPACE, "analytics")

    async def read(self, user_id: uuid.UUID, view: str) -> tuple[str | None, Stored | None]:
        """The user's current generation ("0" before any change; None when Redis is down: do not cache) and the
        view's stored value (of any generation; None when there is none), in one round trip."""
        fetched = await self.cache.get_raw_beside([_view_key(user_id, view)], _generation_key(user_id))
        if fetched is None:
            return None, None
        raw, raw_generation = fetched
        generation = "0" if raw_generation is None else (
            raw_generation.decode() if isinstance(raw_generation, bytes) else str(raw_generation))
        return generation, None if raw is None else Stored.parse(raw)

    def counted(self, hit: bool) -> None:
        self.cache.count(hit=hit)

    async def store(self, user_id: uuid.UUID, view: str, generation: str, day: date, zone: str, body: bytes) -> None:
        """The view's body, tagged; an outage is logged, not raised (the answer is computed already)."""
        value = Stored(generation, day.isoformat(), zone, body).encoded()
        await self.cache.set_encoded(_view_key(user_id, view), value, self.ttl_seconds)

    async def invalidate(self, user_id: uuid.UUID) -> None:
        # A Redis error propagates: the event is retried, so a stale dashboard cannot outlive the outage.
        await self.redis.incr(_generation_key(user_id))


def response_body(model: type[BaseModel], value: dict[str, object]) -> bytes:
    """`value` checked against the response model and encoded as FastAPI would answer it (by alias)."""
    return model.model_validate(value).model_dump_json(by_alias=True).encode()
