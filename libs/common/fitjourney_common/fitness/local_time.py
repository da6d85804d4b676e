"""A user's local calendar: the zone (UTC when unknown), the local date of a moment, a day's UTC bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_or_utc(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(zone: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(zone).date()


def surely_not_future(day: date, now: datetime | None = None) -> bool:
    """True when `day` is today or earlier in every time zone, so no zone need be looked up to refuse a
    future date: no zone is more than 12 hours behind UTC (Etc/GMT+12), so every zone's today is at least
    the UTC date of 12 hours ago."""
    return day <= ((now or datetime.now(UTC)) - timedelta(hours=12)).date()


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC (23 or 25 hours long on DST changes)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
