"""Sign-in lockout in Redis, keyed on the email *and* the client address, plus a limit per address.

Two scopes are counted for every attempt: the pair (normalised email, client address) and the address
alone. Too many failures of a pair lock that pair only, so someone guessing from another address can
never lock the owner out; too many failures from one address, across any emails, lock that address.
Each new lock of the same scope within `max_lock_seconds` lasts twice as long as the one before
(exponential backoff). Counted whether or not an account exists, so a lockout reveals no account.
A Redis outage fails open: sign-in keeps working uncounted (the edge's per-address limit still applies).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS
from fitjourney_common.observability.logging import ThrottledLogger

log = logging.getLogger(__name__)
outage_log = ThrottledLogger(log)
KEY_PREFIX = "auth:lockout:"
UNKNOWN_ADDRESS = "-"


class Scope(StrEnum):
    PAIR = "email_and_address"
    ADDRESS = "address"


def _digest(*parts: str) -> str:
    # Hashed: Redis need not hold a list of every email and address that tried.
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class _Keys:
    """The three keys of one scope: failures in the counting window, the lock, and past locks (backoff)."""

    count: str
    lock: str
    strikes: str

    @classmethod
    def of(cls, scope: Scope, digest: str) -> _Keys:
        base = f"{KEY_PREFIX}{scope.value}:{digest}"
        return cls(count=f"{base}:count", lock=f"{base}:lock", strikes=f"{base}:strikes")


@dataclass(frozen=True)
class Admission:
    """The outcome of counting one sign-in attempt before its password is checked."""

    # Seconds until this email/address may try again; None when the attempt may go on to the check.
    retry_after: int | None
    # Which scope refused it (None when admitted).
    refused_by: Scope | None = None
    pair: _Keys | None = None
    address: _Keys | None = None
    # The attempt's number in each scope's window (0 while Redis is unreachable: nothing is counted).
    pair_attempt: int = 0
    address_attempt: int = 0


@dataclass(frozen=True)
class Lock:
    scope: Scope
    seconds: int


class LoginLockout:
    """Every attempt is counted *before* its password is checked, atomically (INCR in one MULTI), and
    a success gives its count back: a burst of parallel guesses cannot all pass the "locked?" check
    while bcrypt runs. A refused attempt gives its counts back too: it checked no password.

    `limits` (the house's rate-limit library) was the first choice; its fixed-rate windows cannot give
    a hit back on success nor lengthen a lock each time, which this needs, so these are plain counters."""

    def __init__(self, redis: Redis, *, max_attempts: int, address_max_attempts: int, window_seconds: int,
                 max_lock_seconds: int):
        self.redis = redis
        self.max_attempts = max_attempts
        self.address_max_attempts = address_max_attempts
        self.window_seconds = window_seconds
        self.max_lock_seconds = max(max_lock_seconds, window_seconds)

    @staticmethod
    def _epoch_key(email: str) -> str:
        return f"{KEY_PREFIX}epoch:{_digest(email)}"

    def lock_seconds(self, strike: int) -> int:
        """The length of the `strike`-th lock of one scope: the window, doubled each time, capped."""
        return min(self.window_seconds * 2 ** min(max(strike - 1, 0), 32), self.max_lock_seconds)

    async def admit(self, email: str, address: str | None) -> Admission:
        """Count an attempt for (`email`, `address`); refused, with Retry-After, while either is locked."""
        address = address or UNKNOWN_ADDRESS
        try:
            # A password reset starts a new epoch for the email, which lifts its locks from every address.
            epoch = await self.redis.get(self._epoch_key(email))
            pair = _Keys.of(Scope.PAIR, _digest(email, address, epoch.decode() if isinstance(epoch, bytes) else ""))
            by_address = _Keys.of(Scope.ADDRESS, _digest(address))
            async with self.redis.pipeline(transaction=True) as pipe:
                for keys in (pair, by_address):
                    pipe.incr(keys.count)
                    pipe.expire(keys.count, self.window_seconds, nx=True)  # the window starts at the first
                    pipe.ttl(keys.lock)
                    pipe.ttl(keys.count)
                if epoch:  # the epoch lives as long as the keys made under it
                    pipe.expire(self._epoch_key(email), self.max_lock_seconds + self.window_seconds)
                results = await pipe.execute()
            pair_count, _, pair_locked, pair_window, address_count, _, address_locked, address_window = results[:8]
            refusal = self._refusal(int(pair_count), int(pair_locked), int(pair_window),
                                    int(address_count), int(address_locked), int(address_window))
            if refusal is not None:
                scope, retry_after = refusal
                await self._give_back(pair.count, by_address.count)
                return Admission(retry_after=retry_after, refused_by=scope)
            return Admission(retry_after=None, pair=pair, address=by_address,
                             pair_attempt=int(pair_count), address_attempt=int(address_count))
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable, not enforcing: %r", exc)
            return Admission(retry_after=None)

    def _refusal(self, pair_count: int, pair_locked: int, pair_window: int, address_count: int,
                 address_locked: int, address_window: int) -> tuple[Scope, int] | None:
        """Locked, or this attempt is one too many of the window (its password will not be checked)."""
        if address_locked > 0:
            return Scope.ADDRESS, address_locked
        if pair_locked > 0:
            return Scope.PAIR, pair_locked
        if address_count > self.address_max_attempts:
            return Scope.ADDRESS, max(1, address_window)
        if pair_count > self.max_attempts:
            return Scope.PAIR, max(1, pair_window)
        return None

    async def _give_back(self, *count_keys: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in count_keys:
                pipe.decr(key)
                pipe.ttl(key)
            results = await pipe.execute()
        # A DECR of a key that expired meanwhile made a new one without expiry: drop it.
        stray = [key for key, ttl in zip(count_keys, results[1::2], strict=True) if int(ttl) == -1]
        if stray:
            await self.redis.delete(*stray)

    async def record_failure(self, admission: Admission) -> list[Lock]:
        """The admitted attempt failed (it is already counted); the locks it set, if it was the last
        allowed attempt of its pair or of its address."""
        due = []
        if admission.pair is not None and admission.pair_attempt >= self.max_attempts:
            due.append((Scope.PAIR, admission.pair))
        if admission.address is not None and admission.address_attempt >= self.address_max_attempts:
            due.append((Scope.ADDRESS, admission.address))
        locks = []
        try:
            for scope, keys in due:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.incr(keys.strikes)
                    pipe.expire(keys.strikes, self.max_lock_seconds)
                    strike, _ = await pipe.execute()
                seconds = self.lock_seconds(int(strike))
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.set(keys.lock, b"1", ex=seconds)
                    pipe.delete(keys.count)  # after the lock, a fresh window
                    await pipe.execute()
                locks.append(Lock(scope, seconds))
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable, not locking: %r", exc)
        return locks

    async def record_success(self, admission: Admission) -> None:
        """The right password: the pair starts afresh (no backoff carried over), and the attempt is
        given back to the address (a success is not a guess)."""
        if admission.pair is None or admission.address is None:
            return
        try:
            await self.redis.delete(admission.pair.count, admission.pair.strikes)
            await self._give_back(admission.address.count)
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable: %r", exc)

    async def lift(self, email: str) -> None:
        """A password reset: every address starts afresh for this email (the address limits stay)."""
        try:
            await self.redis.set(self._epoch_key(email), secrets.token_hex(8).encode(),
                                 ex=self.max_lock_seconds + self.window_seconds)
        except REDIS_OUTAGE_ERRORS as exc:
            outage_log.warning("lockout", "lockout counters unavailable: %r", exc)
