"""Where daily summaries are cached in Redis, and how the write path invalidates them after a commit."""

from __future__ import annotations

import json
import logging
import uuid
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import WatchError

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS, JsonCache

log = logging.getLogger(__name__)

NAMESPACE = "summary"
SERVICE = "core"


def summary_cache(redis: Redis) -> JsonCache:
    return JsonCache(redis, NAMESPACE, SERVICE)


def daily_key(user_id: uuid.UUID, day: date) -> str:
    """Key inside the namespace; the full Redis key is `summary:daily:<user_id>:<YYYY-MM-DD>`."""
    return f"daily:{user_id}:{day.isoformat()}"


def _days_index_key(user_id: uuid.UUID) -> str:
    # Which days of a user are cached: dropping all of them needs no SCAN over the whole keyspace.
    return f"{NAMESPACE}:days:{user_id}"


def _generation_key(user_id: uuid.UUID) -> str:
    # Bumped by every invalidation of the user's summaries. A summary computed while it moved may hold
    # numbers from before a write, so it is not cached (deleting the key alone loses to a slow reader
    # that computed before the write committed and caches after the delete).
    return f"{NAMESPACE}:gen:{user_id}"


def _zone_key(user_id: uuid.UUID) -> str:
    # The user's time zone, which says which day "today" is: cached like a summary (the same generation
    # guard, dropped with every cached day by a profile change), so a cached today needs no database.
    return f"{NAMESPACE}:zone:{user_id}"


# Only has to outlive the slowest summary computation; a day is plenty and keeps Redis tidy.
GENERATION_TTL_SECONDS = 24 * 3600


def _text(raw: bytes | str | None) -> str:
    return "0" if raw is None else raw.decode() if isinstance(raw, bytes) else str(raw)


@dataclass(frozen=True)
class CachedState:
    """What Redis holds for a user's summary, read before anything is computed from the database."""

    zone: str | None  # the user's time zone, None when not cached
    generation: str | None  # None when Redis is down: then nothing is cached
    summary: Any | None = None  # the asked day's cached summary (as stored JSON), if any
    # Asked for today: the raw cached summaries of the days today may be in some zone (`summary_of`).
    nearby: dict[date, bytes | str | None] = field(default_factory=dict)


def days_today_may_be(now: datetime | None = None) -> list[date]:
    """Every date that is today somewhere: UTC's date, the day before (zones to UTC-12) and the day after
    (to UTC+14)."""
    today = (now or datetime.now(UTC)).date()
    return [today - timedelta(days=1), today, today + timedelta(days=1)]


async def cached_state(redis: Redis, user_id: uuid.UUID, day: date | None) -> CachedState:
    """The cached time zone, the generation and the day's cached summary, in one round trip: with `day`
    given, that day's; for today (None), those of the days today may be in (`days_today_may_be`), of which
    `summary_of` picks the one the zone says."""
    plain_keys = (_zone_key(user_id), _generation_key(user_id))
    cache = summary_cache(redis)
    if day is None:
        days = days_today_may_be()
        fetched = await cache.get_raw_beside([daily_key(user_id, each) for each in days], *plain_keys)
        if fetched is None:
            return CachedState(None, None)
        *summaries, zone, generation = fetched
        summary, nearby = None, dict(zip(days, summaries, strict=True))
    else:
        found = await cache.get_beside(daily_key(user_id, day), *plain_keys)
        if found is None:
            return CachedState(None, None)
        summary, (zone, generation) = found
        nearby = {}
    return CachedState(None if zone is None else _text(zone), _text(generation), summary, nearby)


async def summary_of(redis: Redis, user_id: uuid.UUID, state: CachedState, day: date) -> Any | None:
    """Today's cached summary, once the zone said which day it is: from the state's read when it fetched
    that day (it did, unless UTC's date turned meanwhile), else with a read of its own."""
    cache = summary_cache(redis)
    if day in state.nearby:
        return cache.decoded(state.nearby[day])
    return await cache.get(daily_key(user_id, day))


# Caches a computed summary only while the generation is the one read before computing: one round trip,
# atomic as the WATCH/MULTI it replaces (three round trips: WATCH, GET, MULTI..EXEC).
# KEYS: generation, day's summary, zone, days index; ARGV: generation, summary, zone, ttl, day.
_CACHE_IF_CURRENT = b"""
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
redis.call('SADD', KEYS[4], ARGV[5])
redis.call('EXPIRE', KEYS[4], ARGV[4])
return 1
"""
_scripts: weakref.WeakKeyDictionary[Redis, dict[bytes, AsyncScript]] = weakref.WeakKeyDictionary()


def _script(redis: Redis, text: bytes) -> AsyncScript | None:
    """The script bound to `redis`; None for the in-process Redis of `memory://` (fakeredis runs no Lua
    without lupa), which keeps the commands the script stands for."""
    if type(redis).__module__.startswith("fakeredis"):
        return None
    scripts = _scripts.setdefault(redis, {})
    script = scripts.get(text)
    if script is None:
        script = scripts[text] = redis.register_script(text)
    return script


async def cache_daily_summary(redis: Redis, user_id: uuid.UUID, day: date, value: dict[str, object],
                              ttl_seconds: int, generation: str, time_zone: str) -> None:
    """Cache one day's summary and the user's time zone it was computed in, and note the day in the user's
    index, unless the user's summaries were invalidated since `generation` was read; never raises."""
    generation_key = _generation_key(user_id)
    summary_key = f"{NAMESPACE}:{daily_key(user_id, day)}"
    payload = json.dumps(value, separators=(",", ":")).encode()
    ttl = max(1, int(ttl_seconds))
    script = _script(redis, _CACHE_IF_CURRENT)
    try:
        if script is not None:
            await script(keys=[generation_key, summary_key, _zone_key(user_id), _days_index_key(user_id)],
                         args=[generation, payload, time_zone.encode(), ttl, day.isoformat()])
            return
        async with redis.pipeline(transaction=True) as pipe:
            await pipe.watch(generation_key)
            if _text(await pipe.get(generation_key)) != generation:
                return  # a write committed while this summary was computed
            pipe.multi()
            pipe.set(summary_key, payload, ex=ttl)
            pipe.set(_zone_key(user_id), time_zone.encode(), ex=ttl)
            pipe.sadd(_days_index_key(user_id), day.isoformat())
            pipe.expire(_days_index_key(user_id), ttl)
            await pipe.execute()
    except WatchError:
        return  # the same, between the check and the write
    except REDIS_OUTAGE_ERRORS as exc:
        log.warning("summary not cached: %s", exc)


async def _bump_generation(redis: Redis, user_id: uuid.UUID) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(_generation_key(user_id))
        pipe.expire(_generation_key(user_id), GENERATION_TTL_SECONDS)
        await pipe.execute()


# Users whose summaries a write could not drop while Redis was unreachable, per client (one per process).
# A Redis that comes back with its data (persistence, a replica, a network partition) still holds their old
# summaries: this process drops all of them before it next reads or invalidates a summary.
_missed: weakref.WeakKeyDictionary[Redis, set[uuid.UUID]] = weakref.WeakKeyDictionary()


async def replay_missed_invalidations(redis: Redis) -> set[uuid.UUID]:
    """Drop the summaries of the users an outage left behind; returns those still left (Redis still down),
    whose cached summaries must not be read. Never raises."""
    missed = _missed.get(redis)
    if not missed:
        return set()
    for user_id in list(missed):
        if await _drop_all(redis, user_id):
            missed.discard(user_id)
            log.info("summaries of %s dropped after a Redis outage", user_id)
    return set(missed)


def _note_missed(redis: Redis, user_id: uuid.UUID, exc: BaseException) -> None:
    log.warning("summaries of %s not invalidated (dropped once Redis answers): %s", user_id, exc)
    _missed.setdefault(redis, set()).add(user_id)


async def invalidate_daily_summary(redis: Redis, user_id: uuid.UUID, days: Iterable[date]) -> None:
    """Drop the cached summaries of the user's local `days` a write touched; never raises (during a Redis
    outage the user is remembered, and every day of theirs is dropped once Redis answers again). One round
    trip: the generation bump and the deletes go in one MULTI."""
    await replay_missed_invalidations(redis)
    keys = [f"{NAMESPACE}:{daily_key(user_id, day)}" for day in days]
    try:
        async with redis.pipeline(transaction=True) as pipe:
            # Bump first: a reader that cached before the bump is deleted next, one after it caches nothing.
            pipe.incr(_generation_key(user_id))
            pipe.expire(_generation_key(user_id), GENERATION_TTL_SECONDS)
            if keys:
                pipe.delete(*keys)
            await pipe.execute()
    except REDIS_OUTAGE_ERRORS as exc:
        _note_missed(redis, user_id, exc)


async def invalidate_all_summaries(redis: Redis, user_id: uuid.UUID, *, keep_zone: bool = False) -> None:
    """Drop every cached day of a user (profile changes move targets of every day); never raises.
    `keep_zone`: the write cannot have changed the time zone (only a profile change can), so the cached
    zone stays and the next summary need not read it from the database."""
    await replay_missed_invalidations(redis)
    await _drop_all(redis, user_id, keep_zone=keep_zone)


# Drops every cached day of a user in one round trip (was three: bump, SMEMBERS, DEL), atomically.
# KEYS: generation, days index[, zone]; ARGV: the generation's ttl, the prefix of the user's day keys.
_DROP_ALL = b"""
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
for _, day in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('DEL', ARGV[2] .. day) end
redis.call('DEL', unpack(KEYS, 2))
return 1
"""


async def _drop_all(redis: Redis, user_id: uuid.UUID, *, keep_zone: bool = False) -> bool:
    index = _days_index_key(user_id)
    zone = () if keep_zone else (_zone_key(user_id),)
    script = _script(redis, _DROP_ALL)
    try:
        if script is not None:
            await script(keys=[_generation_key(user_id), index, *zone],
                         args=[GENERATION_TTL_SECONDS, f"{NAMESPACE}:daily:{user_id}:"])  # + day: daily_key
            return True
        # Bump before reading the index: every day cached before the bump is in it, none is cached after.
        await _bump_generation(redis, user_id)
        days = await redis.smembers(index)
        names = [raw.decode() if isinstance(raw, bytes) else str(raw) for raw in days]
        await redis.delete(index, *zone,
                           *(f"{NAMESPACE}:{daily_key(user_id, date.fromisoformat(n))}" for n in names))
    except REDIS_OUTAGE_ERRORS as exc:
        _note_missed(redis, user_id, exc)
        return False
    return True
