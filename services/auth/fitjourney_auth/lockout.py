"""Sign-in lockout: failed attempts per email in Redis; after too many, the email is locked for a window.

Counted per normalised email whether or not an account exists, so a lockout reveals nothing about
which emails are registered. A Redis outage fails open: sign-in keeps working without the counter.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from redis.asyncio import Redis

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS
from fitjourney_common.observability.logging import ThrottledLogger

log = logging.getLogger(__name__)
outage_log = ThrottledLogger(log)
KEY_PREFIX = "auth:lockout:"


@dataclass(frozen=True)
class Admission:
    """The outcome of counting one sign-in attempt before its password is checked."""

    # Seconds until the email may try again; None when this attempt may go on to the password check.
    retry_after: int | None
    # Which attempt of the window this is (None while Redis is unreachable: nothing is counted).
    attempt: int | None = None


class LoginLockout:
    """Every attempt is counted *before* its password is checked, atomically (INCR), and a success
    takes the count back. Counting only failures, after the slow bcrypt check, let a burst of parallel
    guesses all pass the "locked?" check before the first failure was recorded."""

    def __init__(self, redis: Redis, max_attempts: int, window_seconds: int):
        self.redis = redis
        self.max_attempts = max_attempts
        self.window_seconds = window_seconds

    @staticmethod
    def _key(email: str) -> str:
        # Hashed: Redis need not hold a list of every email someone tried.
        return KEY_PREFIX + hashlib.sha256(email.encode()).hexdigest()

    async def admit(self, email: str) -> Admission:
        """Count an attempt for `email`; refused (with Retry-After) once `max_attempts` have failed."""
        key = self._key(email)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self.window_seconds, nx=True)  # the window starts at the first attempt
                pipe.ttl(key)
                count, _, ttl = await pipe.execute()
            count = int(count)
            if count <= self.max_attempts:
                return Admission(retry_after=None, attempt=count)
            if ttl < 0:  # no expiry (should not happen): never lock forever
                await self.redis.expire(key, self.window_seconds)
                ttl = self.window_seconds
            return Admission(retry_after=max(1, int(ttl)), attempt=count)
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable, not enforcing: %r", exc)
            return Admission(retry_after=None)

    async def record_failure(self, email: str, admission: Admission) -> int | None:
        """The admitted attempt failed (it is already counted); returns the lock's duration when this
        was the last allowed attempt and locked the email."""
        if admission.attempt is None or admission.attempt < self.max_attempts:
            return None
        try:
            # Locked: a full window from now, not what is left of the counting window.
            await self.redis.expire(self._key(email), self.window_seconds)
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable, not counting: %r", exc)
        return self.window_seconds

    async def reset(self, email: str) -> None:
        try:
            await self.redis.delete(self._key(email))
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable: %r", exc)
