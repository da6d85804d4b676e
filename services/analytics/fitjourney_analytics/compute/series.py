"""Daily series in the user's time zone: bucketing moments into local days, filling empty days, weekly roll-ups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from fitjourney_analytics.compute.calendar import Window, week_start


def local_day_sums(moments: Sequence[Any], values: Mapping[str, Sequence[float | None]], zone: ZoneInfo,
                   ) -> pd.DataFrame:
    """Sum `values` per local calendar day of `moments` (aware UTC datetimes), plus `n` rows per day.

    Conversion goes through the zone's rules for each moment, so a 23- or 25-hour DST day gets exactly
    the moments that fall on it. Used where SQL cannot say "local date" (SQLite, dev mode)."""
    if not moments:
        return pd.DataFrame(columns=[*values, "n"], index=pd.Index([], name="day"), dtype=float)
    stamps = pd.to_datetime(pd.Series(list(moments)), utc=True).dt.tz_convert(str(zone))
    frame = pd.DataFrame({name: pd.to_numeric(pd.Series(list(column)), errors="coerce")
                          for name, column in values.items()})
    frame["day"] = stamps.dt.date.to_numpy()
    frame["n"] = 1
    return frame.groupby("day").sum(min_count=1)


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
        np.nan_to_num(data[column], copy=False, nan=0.0)
    return data


def days_frame(window: Window, columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Per-day `columns` (as `daily_columns` gives them) as a frame indexed by the window's days, for the trends
    and reports that compute on one."""
    return pd.DataFrame(columns, index=pd.Index(window.days, name="day"), columns=list(columns))


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
        out[column] = per_week(np.nan_to_num(columns[column], nan=0.0))  # a week without a value sums to 0
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
