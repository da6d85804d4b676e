"""Periods as local calendar days: the window a period covers, its UTC bounds, and its weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from fitjourney_common.fitness.local_time import day_bounds

Period = Literal["week", "month", "quarter", "year"]
# Rolling windows ending today (today included): a trend over "the last month" should not restart on the 1st.
PERIOD_DAYS: dict[str, int] = {"week": 7, "month": 30, "quarter": 91, "year": 365}


@dataclass(frozen=True)
class Window:
    """Local days `first`..`last` (both included) in `zone`, and the UTC instants bounding them."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]

    @property
    def utc_start(self) -> datetime:
        return day_bounds(self.first, self.zone)[0]

    @property
    def utc_end(self) -> datetime:
        """Exclusive: the start of the day after `last` (so a 23- or 25-hour DST day counts whole)."""
        return day_bounds(self.last, self.zone)[1]


def period_window(period: str, today: date, zone: ZoneInfo) -> Window:
    return Window(today - timedelta(days=PERIOD_DAYS[period] - 1), today, zone)


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())
