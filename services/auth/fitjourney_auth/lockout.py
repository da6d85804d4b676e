"""Sign-in lockout: failed attempts per email in Redis; after too many, the email is locked for a window.

Counted per normalised email whether or not an account exists, so a lockout reveals nothing about
which emails are registered. A Redis outage fails open: sign-in keeps working without the counter.
"""

from __future__ import annotations

import hashlib
import logging

from redis.asyncio import Redis

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS
from fitjourney_common.observability.logging import ThrottledLogger

log = logging.getLogger(__name__)
outage_log = ThrottledLogger(log)
KEY_PREFIX = "auth:lockout:"


class LoginLockout:
    def __init__(self, redis: Redis, max_attempts: int, window_seconds: int):
        self.redis = redis
        self.max_attempts = max_attempts
        self.window_seconds = window_seconds

    @staticmethod
    def _key(email: str) -> str:
        # Hashed: Redis need not hold a list of every email someone tried.
        return KEY_PREFIX + hashlib.sha256(email.encode()).hexdigest()

    async def retry_after(self, email: str) -> int | None:
        """Seconds until `email` may try again, or None when it is not locked."""
        key = self._key(email)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.get(key)
                pipe.ttl(key)
                count, ttl = await pipe.execute()
            if count is None or int(count) < self.max_attempts:
                return None
            if ttl < 0:  # no expiry (should not happen): never lock forever
                await self.redis.expire(key, self.window_seconds)
                ttl = self.window_seconds
            return max(1, int(ttl))
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable, not enforcing: %r", exc)
            return None

    async def record_failure(self, email: str) -> int | None:
        """Count a failed attempt; returns the lock's duration when this attempt locked the email."""
        key = self._key(email)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self.window_seconds, nx=True)  # the window starts at the first failure
                count, _ = await pipe.execute()
            if int(count) >= self.max_attempts:
                # Locked: a full window from now, not what is left of the counting window.
                await self.redis.expire(key, self.window_seconds)
                return self.window_seconds if int(count) == self.max_attempts else None
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable, not counting: %r", exc)
        return None

    async def reset(self, email: str) -> None:
        try:
            await self.redis.delete(self._key(email))
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable: %r", exc)
