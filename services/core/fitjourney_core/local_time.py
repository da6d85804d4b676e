"""The local calendar of core's users: the shared rules of fitjourney_common.fitness.local_time, re-exported."""

from __future__ import annotations

from fitjourney_common.fitness.local_time import day_bounds, local_date, local_today, surely_not_future, zone_or_utc

__all__ = ["day_bounds", "local_date", "local_today", "surely_not_future", "zone_or_utc"]
