"""Per-identity rate limits (moving window, `limits` library) in Redis or in process memory; fails open."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.storage.redis.bridge import RedisBridge
from limits.aio.storage.redis.redispy import RedispyBridge
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from fitjourney_common.errors import TooManyRequests
from fitjourney_common.observability.logging import ThrottledLogger

log = logging.getLogger(__name__)
outage_log = ThrottledLogger(log)

DEFAULT_KEY_PREFIX = "fitjourney:ratelimit"
# A limiter that waits on a sick Redis slows every request; fail fast, then fail open.
SOCKET_TIMEOUT_SECONDS = 1.0
STORAGE_ERRORS: tuple[type[BaseException], ...] = (
    StorageError, RedisError, ConnectionError, TimeoutError, OSError)

_memory_storages: dict[str, MemoryStorage] = {}
_memory_lock = threading.Lock()


@lru_cache(maxsize=256)
def _parse(rate: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(rate))


# The `limits` library's own moving-window script, run only when none of the marker keys (KEYS[2..]) exists:
# a request refused for a marker (a revoked session) costs no slot of the caller's limit. 1: counted,
# 0: over the limit, -i: the i-th marker exists.
UNLESS_MARKED_SCRIPT = f"""
for i = 2, #KEYS do
  if redis.call('exists', KEYS[i]) == 1 then return 1 - i end
end
local function acquire()
{RedisBridge.SCRIPT_ACQUIRE_MOVING_WINDOW.decode()}
end
if acquire() then return 1 end
return 0
"""


class RateLimiter:
    """Moving window: no burst of 2x the limit at a window edge, and an exact time until a slot frees."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        bridge = getattr(storage, "bridge", None) if isinstance(storage, RedisStorage) else None
        self._bridge = bridge if isinstance(bridge, RedispyBridge) else None
        self._unless_marked = (self._bridge.get_connection().register_script(UNLESS_MARKED_SCRIPT.encode())
                               if self._bridge is not None else None)

    @property
    def looks_up_markers(self) -> bool:
        """Whether `check_unless_marked` can look up markers (keys of the same Redis): not in memory."""
        return self._unless_marked is not None

    async def check(self, rate: str, *identity: str) -> None:
        """Count one hit for `identity` under `rate` (e.g. "100/minute"); raise TooManyRequests when over.

        When the storage is unreachable the request is allowed: an outage of Redis must not take the API down.
        """
        await self._hit_each(_parse(rate), identity)

    async def _hit_each(self, items: Sequence[RateLimitItem], identity: Sequence[str]) -> None:
        for item in items:
            try:
                if await self.strategy.hit(item, *identity):
                    continue
            except STORAGE_ERRORS as exc:
                outage_log.warning("check", "rate limit storage unavailable, allowing the request: %r", exc)
                return
            await self._refuse(item, identity)

    async def check_unless_marked(self, markers: Sequence[str], rate: str, *identity: str) -> int | None:
        """The index of the first of `markers` (Redis keys) that exists, counting no hit then; else None,
        with the hit counted as `check` counts it (TooManyRequests when over). One round trip for the
        markers and the first limit of `rate`. Redis unreachable: None, the request allowed, as `check`."""
        assert self._unless_marked is not None and self._bridge is not None, "needs looks_up_markers"
        first, *rest = _parse(rate)
        try:
            answer = int(await self._unless_marked(
                [self._bridge.prefixed_key(first.key_for(*identity)), *markers],
                [time.time(), first.amount, first.get_expiry(), 1]))
        except STORAGE_ERRORS as exc:
            outage_log.warning("check", "rate limit storage unavailable, allowing the request: %r", exc)
            return None
        if answer < 0:
            return -answer - 1
        if answer == 0:
            await self._refuse(first, identity)
        await self._hit_each(rest, identity)
        return None

    async def _refuse(self, item: RateLimitItem, identity: Sequence[str]) -> None:
        try:
            stats = await self.strategy.get_window_stats(item, *identity)
        except STORAGE_ERRORS as exc:
            outage_log.warning("check", "rate limit storage unavailable, allowing the request: %r", exc)
            return
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(f"Rate limit of {item} exceeded, retry in {retry_after} s",
                              retry_after=retry_after)

    async def reset(self) -> None:
        """Forget every counter (tests)."""
        await self.storage.reset()


def _storage_for(url: str, key_prefix: str) -> Storage:
    if url.startswith("memory://"):
        with _memory_lock:
            # One store per URL, like the in-process Redis: services sharing a process share their limits.
            return _memory_storages.setdefault(url, MemoryStorage())
    if url.startswith(("redis://", "rediss://")):
        return RedisStorage(
            f"async+{url}",
            wrap_exceptions=True,
            implementation="redispy",
            key_prefix=key_prefix,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 1),  # type: ignore[arg-type]
        )
    raise ValueError(f"REDIS_URL must start with redis://, rediss:// or memory:// (got {url!r})")


def create_rate_limiter(redis_url: str, key_prefix: str = DEFAULT_KEY_PREFIX) -> RateLimiter:
    """A limiter on the same Redis as everything else (`redis://host:port/db`), or in memory (`memory://`)."""
    return RateLimiter(_storage_for(redis_url, key_prefix))
