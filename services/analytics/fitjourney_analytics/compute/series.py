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
    """One row per local day of `window` (every day, data or not) from rows keyed by `day`.

    `zero_fill` columns are counts or sums where a day without rows truly means zero (workouts);
    the others stay NaN on such days (no weighing is not a weight of 0)."""
    index = pd.Index(window.days, name="day")
    frame = pd.DataFrame(list(rows), columns=["day", *columns])
    frame = frame.set_index("day").reindex(index) if not frame.empty else pd.DataFrame(
        index=index, columns=list(columns), dtype=float)
    frame = frame.astype(float)
    for column in zero_fill:
        frame[column] = frame[column].fillna(0.0)
    return frame


def weekly_frame(daily: pd.DataFrame, sums: Sequence[str], means: Sequence[str]) -> pd.DataFrame:
    """Monday-based weeks: totals of `sums`, averages of `means` over the days that have a value,
    and `days` (how many of the week's days fall in the window: the first and last weeks may be short)."""
    weeks = pd.Series([week_start(day) for day in daily.index], index=daily.index)
    grouped = daily.groupby(weeks.to_numpy())
    out = pd.DataFrame(index=pd.Index(sorted(set(weeks)), name="week_start"))
    for column in sums:
        out[column] = grouped[column].sum(min_count=1).fillna(0.0)
    for column in means:
        out[column] = grouped[column].mean()
    out["days"] = grouped.size()
    return out


def none_if_nan(value: Any, digits: int = 2) -> float | None:
    """JSON-friendly number: NaN and None become None, numbers are rounded."""
    if value is None:
        return None
    number = float(value)
    return None if np.isnan(number) else round(number, digits)


def records(frame: pd.DataFrame, index_name: str, digits: int = 2) -> list[dict[str, Any]]:
    """Rows of `frame` as dicts with the index under `index_name` (ISO date) and NaN as None."""
    out: list[dict[str, Any]] = []
    for key, row in frame.iterrows():
        item: dict[str, Any] = {index_name: key.isoformat() if isinstance(key, date) else key}
        item.update({column: none_if_nan(value, digits) for column, value in row.items()})
        out.append(item)
    return out
