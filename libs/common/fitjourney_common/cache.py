"""Redis clients chosen by URL, and a JSON cache that treats a Redis outage as a miss."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import logging
import threading
import uuid
from decimal import Decimal
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from fitjourney_common.observability.logging import ThrottledLogger
from fitjourney_common.observability.metrics import CACHE_REQUESTS
from fitjourney_common.settings import dev_extra

log = logging.getLogger(__name__)
# During an outage every request fails the same way; one line per interval says enough.
outage_log = ThrottledLogger(log)

MEMORY_SCHEME = "memory://"
# A cache must fail fast: a slow answer from a sick Redis is worse than going to Postgres.
SOCKET_TIMEOUT_SECONDS = 1.0
# Errors that mean "Redis is not answering"; anything else is a bug and is raised.
REDIS_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (RedisError, ConnectionError, TimeoutError, OSError)
_DELETE_BATCH = 500

_memory_servers: dict[str, Any] = {}  # URL → fakeredis.FakeServer
_memory_lock = threading.Lock()


def create_redis(url: str) -> aioredis.Redis:
    """`redis://…` → a real client; `memory://…` → an in-process Redis shared by every client of that URL."""
    if url.startswith(MEMORY_SCHEME):
        fakeredis = dev_extra("fakeredis", "REDIS_URL=memory://")
        with _memory_lock:
            # One server per URL, so services sharing a process share data and pub/sub, like a real Redis.
            server = _memory_servers.setdefault(url, fakeredis.FakeServer())
        return fakeredis.FakeAsyncRedis(server=server, decode_responses=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return aioredis.Redis.from_url(
            url,
            decode_responses=False,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            # One quick retry survives a connection dropped by a Redis restart without stalling on an outage.
            retry=Retry(ExponentialBackoff(cap=0.1, base=0.02), 1),
            health_check_interval=30,
        )
    raise ValueError(f"REDIS_URL must start with redis://, rediss://, unix:// or memory:// (got {url!r})")


async def redis_ping(redis: aioredis.Redis) -> bool:
    """True when Redis answers; never raises (for /readyz)."""
    try:
        return bool(await redis.ping())
    except REDIS_OUTAGE_ERRORS as exc:
        outage_log.warning("ping", "redis ping failed: %s", exc)
        return False


def _json_default(value: Any) -> Any:
    # Types our schemas hand over; strings keep them exact (Decimal) and readable (datetimes).
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if hasattr(value, "model_dump"):  # pydantic models
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class JsonCache:
    """JSON values under `namespace:`; every Redis failure is logged and answered as a miss, never raised.

    A cached `None` cannot be told apart from a miss, so do not cache `None`.
    """

    def __init__(self, redis: aioredis.Redis, namespace: str, service: str) -> None:
        self.redis = redis
        self.namespace = namespace
        self.service = service
        self._hits = CACHE_REQUESTS.labels(service=service, cache=namespace, result="hit")
        self._misses = CACHE_REQUESTS.labels(service=service, cache=namespace, result="miss")
        self._errors = CACHE_REQUESTS.labels(service=service, cache=namespace, result="error")

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    def _outage(self, operation: str, exc: BaseException) -> None:
        self._errors.inc()
        outage_log.warning(f"{self.namespace}:{operation}", "cache %s %s failed, falling back: %r",
                           self.namespace, operation, exc)

    async def get(self, key: str) -> Any | None:
        fetched = await self._fetch(key)
        return None if fetched is None else self._decoded(fetched[0])

    async def get_beside(self, key: str, *plain_keys: str) -> tuple[Any | None, list[bytes | str | None]] | None:
        """`get(key)` and the raw values of `plain_keys` (whole Redis keys, outside the namespace) in one
        round trip; None when Redis does not answer."""
        fetched = await self._fetch(key, *plain_keys)
        if fetched is None:
            return None
        raw, *others = fetched
        return self._decoded(raw), others

    async def get_raw_beside(self, keys: list[str], *plain_keys: str) -> list[bytes | str | None] | None:
        """The raw values of `keys` (in the namespace), then of `plain_keys`, in one round trip, for a caller
        that learns from the plain values which one of `keys` it wants (`decoded`); nothing counted yet.
        None when Redis does not answer."""
        try:
            return list(await self.redis.mget(*(self._key(key) for key in keys), *plain_keys))
        except REDIS_OUTAGE_ERRORS as exc:
            self._outage("get", exc)
            return None

    def count(self, *, hit: bool) -> None:
        """Count a hit or a miss that the caller decided (a value present but stale is a miss)."""
        (self._hits if hit else self._misses).inc()

    def decoded(self, raw: bytes | str | None) -> Any | None:
        """One value of `get_raw_beside`, decoded and counted as a hit or a miss."""
        if raw is None:
            self._misses.inc()
        return self._decoded(raw)

    async def get_encoded(self, key: str) -> bytes | None:
        """The stored JSON undecoded, for a caller that answers it as it is (a hit costs no JSON work)."""
        fetched = await self._fetch(key)
        raw = None if fetched is None else fetched[0]
        if raw is None:
            return None
        self._hits.inc()
        return raw if isinstance(raw, bytes) else str(raw).encode()

    async def _fetch(self, key: str, *plain_keys: str) -> list[bytes | str | None] | None:
        """The raw value of `key` (a miss counted) then those of `plain_keys`; None when Redis does not answer."""
        try:
            if plain_keys:
                fetched = list(await self.redis.mget(self._key(key), *plain_keys))
            else:
                fetched = [await self.redis.get(self._key(key))]
        except REDIS_OUTAGE_ERRORS as exc:
            self._outage("get", exc)
            return None
        if fetched[0] is None:
            self._misses.inc()
        return fetched

    def _decoded(self, raw: bytes | str | None) -> Any | None:
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError as exc:
            # Written by something else or truncated: the source of truth still has it.
            self._outage("decode", exc)
            return None
        self._hits.inc()
        return value

    async def set(self, key: str, value: Any, ttl_seconds: int) -> None:
        # Serialise first: a value that cannot be encoded is a bug in the caller, not an outage.
        await self.set_encoded(key, json.dumps(value, default=_json_default, separators=(",", ":")).encode(),
                               ttl_seconds)

    async def set_encoded(self, key: str, payload: bytes, ttl_seconds: int) -> None:
        """Store JSON the caller has already encoded."""
        try:
            await self.redis.set(self._key(key), payload, ex=max(1, int(ttl_seconds)))
        except REDIS_OUTAGE_ERRORS as exc:
            self._outage("set", exc)

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        try:
            await self.redis.delete(*(self._key(k) for k in keys))
        except REDIS_OUTAGE_ERRORS as exc:
            self._outage("delete", exc)

    async def delete_pattern(self, pattern: str) -> None:
        """Delete this namespace's keys matching a glob ("user:42:*"); SCAN, not KEYS: Redis never blocks."""
        try:
            batch: list[bytes | str] = []
            async for found in self.redis.scan_iter(match=self._key(pattern), count=_DELETE_BATCH):
                batch.append(found)
                if len(batch) >= _DELETE_BATCH:
                    await self.redis.delete(*batch)
                    batch.clear()
            if batch:
                await self.redis.delete(*batch)
        except REDIS_OUTAGE_ERRORS as exc:
            self._outage("delete_pattern", exc)
