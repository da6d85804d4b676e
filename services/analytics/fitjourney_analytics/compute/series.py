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


def daily_frame(window: Window, rows: Iterable[Mapping[str, Any]], columns: Sequence[str],
                zero_fill: Iterable[str] = ()) -> pd.DataFrame:
    """One row per local day of `window` (every day, data or not) from rows keyed by `day` (at most one a day;
    days outside the window are ignored).

    `zero_fill` columns are counts or sums where a day without rows truly means zero (workouts);
    the others stay NaN on such days (no weighing is not a weight of 0)."""
    days = window.days
    data = {column: np.full(len(days), np.nan) for column in columns}
    for row in rows:
        position = (row["day"] - window.first).days
        if not 0 <= position < len(days):
            continue
        for column in columns:
            value = row.get(column)
            if value is not None:
                data[column][position] = value
    for column in zero_fill:
        np.nan_to_num(data[column], copy=False, nan=0.0)
    return pd.DataFrame(data, index=pd.Index(days, name="day"), columns=list(columns))


def weekly_frame(daily: pd.DataFrame, sums: Sequence[str], means: Sequence[str]) -> pd.DataFrame:
    """Monday-based weeks: totals of `sums`, averages of `means` over the days that have a value,
    and `days` (how many of the week's days fall in the window: the first and last weeks may be short)."""
    grouped = daily.groupby(np.array([week_start(day) for day in daily.index]))
    out = pd.concat([grouped[list(sums)].sum(min_count=1).fillna(0.0), grouped[list(means)].mean()], axis=1)
    out["days"] = grouped.size()
    out.index.name = "week_start"
    return out


def none_if_nan(value: Any, digits: int = 2) -> float | None:
    """JSON-friendly number: NaN and None become None, numbers are rounded."""
    if value is None:
        return None
    number = float(value)
    return None if np.isnan(number) else round(number, digits)


def records(frame: pd.DataFrame, index_name: str, digits: int = 2) -> list[dict[str, Any]]:
    """Rows of a numeric `frame` as dicts with the index under `index_name` (ISO date) and NaN as None.

    Column by column into Python floats first: `iterrows` builds a Series per row, which cost more than
    the rest of a yearly dashboard."""
    columns = [str(column) for column in frame.columns]
    keys = [key.isoformat() if isinstance(key, date) else key for key in frame.index]
    out: list[dict[str, Any]] = []
    for key, row in zip(keys, frame.to_numpy(dtype=float).tolist(), strict=True):
        item: dict[str, Any] = {index_name: key}
        item.update({column: None if value != value else round(value, digits)  # NaN is not equal to itself
                     for column, value in zip(columns, row, strict=True)})
        out.append(item)
    return out
