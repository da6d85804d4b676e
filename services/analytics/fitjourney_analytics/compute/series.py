"""Daily series in the user's time zone: bucketing moments into local days, filling empty days, weekly roll-ups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from fitjourney_analytics.compute.calendar import Window, week_start
from fitjourney_common.fitness.local_time import local_date


def local_day_sums(moments: Sequence[Any], values: Mapping[str, Sequence[float | None]], zone: ZoneInfo,
                   ) -> dict[date, dict[str, float]]:
    """Per local calendar day of `moments` (aware UTC datetimes), oldest day first: the sum of each of `values`
    (NaN when the day has none of it) and `n`, the day's number of moments.

    Conversion goes through the zone's rules for each moment, so a 23- or 25-hour DST day gets exactly
    the moments that fall on it. Used where SQL cannot say "local date" (SQLite, dev mode). The sums are
    compensated (Kahan) in row order, as pandas' `groupby().sum()` adds them, so they are its figures to the
    last bit without importing pandas in the API (a test holds them equal)."""
    names = list(values)
    totals: dict[date, list[float]] = {}
    compensation: dict[date, list[float]] = {}
    present: dict[date, list[bool]] = {}
    counts: dict[date, int] = {}
    for position, moment in enumerate(moments):
        day = local_date(moment, zone)
        if day not in totals:
            totals[day], compensation[day] = [0.0] * len(names), [0.0] * len(names)
            present[day], counts[day] = [False] * len(names), 0
        counts[day] += 1
        for column, name in enumerate(names):
            value = _number(values[name][position])
            if value != value:  # NaN: not a value
                continue
            present[day][column] = True
            y = value - compensation[day][column]
            t = totals[day][column] + y
            correction = t - totals[day][column] - y
            compensation[day][column] = 0.0 if correction != correction else correction
            totals[day][column] = t
    return {day: {**{name: totals[day][column] if present[day][column] else float("nan")
                     for column, name in enumerate(names)}, "n": counts[day]}
            for day in sorted(totals)}


def _number(value: Any) -> float:
    """A value as a float, NaN for None or anything not numeric (as `pandas.to_numeric(errors="coerce")`)."""
    if value is None:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def daily_columns(window: Window, rows: Iterable[Mapping[str, Any]], columns: Sequence[str],
                  zero_fill: Iterable[str] = ()) -> dict[str, np.ndarray]:
    """One float array per column with a value per local day of `window` (every day, data or not), from rows
    keyed by `day` (at most one a day; days outside the window are ignored).

    `zero_fill` columns are counts or sums where a day without rows truly means zero (workouts);
    the others stay NaN on such days (no weighing is not a weight of 0)."""
    count = (window.last - window.first).days + 1
    data = {column: np.full(count, np.nan) for column in columns}
    for row in rows:
        position = (row["day"] - window.first).days
        if not 0 <= position < count:
            continue
        for column in columns:
            value = row.get(column)
            if value is not None:
                data[column][position] = value
    for column in zero_fill:
        # Not np.nan_to_num: it also looks for infinities (none reach here: core bounds every value) and cost
        # several times this on a week's arrays.
        np.copyto(data[column], 0.0, where=np.isnan(data[column]))
    return data


def weekly_columns(days: Sequence[date], columns: Mapping[str, np.ndarray], sums: Sequence[str],
                   means: Sequence[str]) -> tuple[list[date], dict[str, np.ndarray]]:
    """Monday-based weeks of daily `columns` (a value per day of `days`): their Mondays, and per week the totals
    of `sums`, the averages of `means` over the days that have a value, and `days` (how many of the week's days
    fall in the window: the first and last weeks may be short).

    numpy by week number rather than a pandas groupby: on a week's 7 rows the groupby's own overhead
    was a seventh of an uncached dashboard."""
    weeks, week_of_day = np.unique(np.array([week_start(day).toordinal() for day in days], dtype=np.int64),
                                   return_inverse=True)
    count = len(weeks)

    def per_week(values: np.ndarray) -> np.ndarray:
        return np.bincount(week_of_day, weights=values, minlength=count)

    out: dict[str, np.ndarray] = {}
    for column in sums:
        values = columns[column]
        out[column] = per_week(np.where(np.isnan(values), 0.0, values))  # a week without a value sums to 0
    for column in means:
        values = columns[column]
        present = ~np.isnan(values)
        days_with_value = per_week(present.astype(float))
        totals = per_week(np.where(present, values, 0.0))
        out[column] = np.divide(totals, days_with_value, out=np.full(count, np.nan), where=days_with_value > 0)
    out["days"] = np.bincount(week_of_day, minlength=count)
    return [date.fromordinal(int(ordinal)) for ordinal in weeks], out


def none_if_nan(value: Any, digits: int = 2) -> float | None:
    """JSON-friendly number: NaN and None become None, numbers are rounded."""
    if value is None:
        return None
    number = float(value)
    return None if np.isnan(number) else round(number, digits)


def column_records(keys: Sequence[Any], columns: Mapping[str, np.ndarray], index_name: str, digits: int = 2,
                   ) -> list[dict[str, Any]]:
    """Rows of numeric `columns` (a value per key each) as dicts: the key under `index_name` (ISO date), then
    each column in order, NaN as None.

    Column by column into Python floats first: `iterrows` built a Series per row, which cost more than
    the rest of a yearly dashboard."""
    names = list(columns)
    labels = [key.isoformat() if isinstance(key, date) else key for key in keys]
    rows = np.column_stack([np.asarray(columns[name], dtype=float) for name in names]).tolist() if names else \
        [[] for _ in labels]
    out: list[dict[str, Any]] = []
    for label, row in zip(labels, rows, strict=True):
        item: dict[str, Any] = {index_name: label}
        item.update({name: None if value != value else round(value, digits)  # NaN is not equal to itself
                     for name, value in zip(names, row, strict=True)})
        out.append(item)
    return out
