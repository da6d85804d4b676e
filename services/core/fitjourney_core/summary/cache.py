"""Where daily summaries are cached in Redis, and how writes invalidate them."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS, JsonCache
from fitjourney_common.db.session import call_after_commit

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


async def cache_daily_summary(redis: Redis, user_id: uuid.UUID, day: date, value: dict[str, object],
                              ttl_seconds: int) -> None:
    """Cache one day's summary and remember the day in the user's index; never raises."""
    await summary_cache(redis).set(daily_key(user_id, day), value, ttl_seconds)
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.sadd(_days_index_key(user_id), day.isoformat())
            pipe.expire(_days_index_key(user_id), max(1, int(ttl_seconds)))
            await pipe.execute()
    except REDIS_OUTAGE_ERRORS as exc:
        log.warning("summary day index not updated: %s", exc)


def _local_dates(moment: datetime, time_zone: str | None) -> list[date]:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if time_zone:
        try:
            return [aware.astimezone(ZoneInfo(time_zone)).date()]
        except (ZoneInfoNotFoundError, ValueError):
            pass
    # Time zone unknown here: a moment falls on its UTC date or the day either side in any zone
    # (offsets span -12h..+14h), so dropping those three keys is always enough.
    utc_day = aware.astimezone(UTC).date()
    return [utc_day - timedelta(days=1), utc_day, utc_day + timedelta(days=1)]


async def invalidate_daily_summary(
    redis: Redis, user_id: uuid.UUID, day: date | datetime, time_zone: str | None = None,
) -> None:
    """Drop the cached summary of the day a write touched; never raises (a Redis outage is a no-op).

    `day` is a local calendar date, or a moment (e.g. `eaten_at`) mapped to the user's local date with
    `time_zone` when given, otherwise to every local date it can fall on.
    """
    days = _local_dates(day, time_zone) if isinstance(day, datetime) else [day]
    await summary_cache(redis).delete(*(daily_key(user_id, d) for d in days))


async def invalidate_all_summaries(redis: Redis, user_id: uuid.UUID) -> None:
    """Drop every cached day of a user (profile changes move targets of every day); never raises."""
    index = _days_index_key(user_id)
    try:
        days = await redis.smembers(index)
        await redis.delete(index)
    except REDIS_OUTAGE_ERRORS as exc:
        log.warning("summaries of %s not invalidated: %s", user_id, exc)
        return
    names = [raw.decode() if isinstance(raw, bytes) else str(raw) for raw in days]
    await summary_cache(redis).delete(*(daily_key(user_id, date.fromisoformat(name)) for name in names))


def drop_summary_after_commit(session: AsyncSession, redis: Redis, user_id: uuid.UUID, day: date | datetime) -> None:
    """A write changed `day`: drop its cached summary once the write is committed.

    Dropping before the commit would let a concurrent read cache the old numbers again.
    """
    call_after_commit(session, partial(invalidate_daily_summary, redis, user_id, day))


def drop_all_summaries_after_commit(session: AsyncSession, redis: Redis, user_id: uuid.UUID) -> None:
    call_after_commit(session, partial(invalidate_all_summaries, redis, user_id))
