"""Local-day bucketing across DST changes, empty days kept, Monday weeks: hand-computed figures, and the same
sums as the pandas version they replaced."""

import math
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from fitjourney_analytics.compute.calendar import Window, period_window, week_start
from fitjourney_analytics.compute.report import days_frame
from fitjourney_analytics.compute.series import (
    column_records,
    daily_columns,
    local_day_sums,
    weekly_columns,
)

BERLIN = ZoneInfo("Europe/Berlin")


def test_spring_forward_day_is_23_hours_and_gets_exactly_its_moments() -> None:
    # 2024-03-31 in Berlin runs from 2024-03-30 23:00Z to 2024-03-31 22:00Z (clocks jump 02:00 -> 03:00).
    window = Window(date(2024, 3, 31), date(2024, 3, 31), BERLIN)
    assert window.utc_start == datetime(2024, 3, 30, 23, 0, tzinfo=UTC)
    assert window.utc_end == datetime(2024, 3, 31, 22, 0, tzinfo=UTC)
    moments = [
        datetime(2024, 3, 30, 22, 30, tzinfo=UTC),  # 23:30 CET on the 30th
        datetime(2024, 3, 30, 23, 30, tzinfo=UTC),  # 00:30 CET on the 31st
        datetime(2024, 3, 31, 21, 30, tzinfo=UTC),  # 23:30 CEST on the 31st
        datetime(2024, 3, 31, 22, 30, tzinfo=UTC),  # 00:30 CEST on April 1st
    ]
    sums = local_day_sums(moments, {"kcal": [100, 200, 300, 400]}, BERLIN)
    assert {day: values["kcal"] for day, values in sums.items()} == {
        date(2024, 3, 30): 100, date(2024, 3, 31): 500, date(2024, 4, 1): 400}
    assert {day: values["n"] for day, values in sums.items()} == {
        date(2024, 3, 30): 1, date(2024, 3, 31): 2, date(2024, 4, 1): 1}


def test_fall_back_day_is_25_hours() -> None:
    # 2024-10-27 in Berlin: 2024-10-26 22:00Z .. 2024-10-27 23:00Z. 22:30Z is still the 27th (23:30 CET);
    # a fixed +2 offset would have put it on the 28th.
    window = Window(date(2024, 10, 27), date(2024, 10, 27), BERLIN)
    assert (window.utc_end - window.utc_start).total_seconds() == 25 * 3600
    sums = local_day_sums([datetime(2024, 10, 27, 22, 30, tzinfo=UTC), datetime(2024, 10, 26, 22, 30, tzinfo=UTC)],
                          {"kcal": [50, 70]}, BERLIN)
    assert {day: values["kcal"] for day, values in sums.items()} == {date(2024, 10, 27): 120}


def test_no_moments_gives_no_days() -> None:
    assert local_day_sums([], {"kcal": []}, BERLIN) == {}


def test_empty_days_are_kept_zero_for_counts_and_missing_for_measurements() -> None:
    window = Window(date(2024, 3, 29), date(2024, 4, 2), BERLIN)
    rows = [{"day": date(2024, 3, 30), "minutes": 30.0, "weight": 80.0},
            {"day": date(2024, 4, 1), "minutes": 45.0, "weight": None}]
    columns = daily_columns(window, rows, ["minutes", "weight"], zero_fill=["minutes"])
    frame = days_frame(window, columns)
    assert list(frame.index) == window.days and len(frame) == 5
    assert frame["minutes"].tolist() == [0.0, 30.0, 0.0, 45.0, 0.0]
    assert math.isnan(frame.loc[date(2024, 3, 29), "weight"]) and frame.loc[date(2024, 3, 30), "weight"] == 80.0
    out = column_records(window.days, columns, "date")
    assert out[0] == {"date": "2024-03-29", "minutes": 0.0, "weight": None}


def test_no_rows_at_all_still_lists_every_day() -> None:
    window = Window(date(2024, 1, 1), date(2024, 1, 3), BERLIN)
    assert daily_columns(window, [], ["kcal"], zero_fill=["kcal"])["kcal"].tolist() == [0.0, 0.0, 0.0]


def test_weeks_start_on_monday_and_the_edges_are_short() -> None:
    # Sat 2024-03-30 .. Tue 2024-04-02: week of Mon 25 March (2 days), week of Mon 1 April (2 days).
    window = Window(date(2024, 3, 30), date(2024, 4, 2), BERLIN)
    rows = [{"day": date(2024, 3, 30), "kcal": 2000.0, "weight": 80.0},
            {"day": date(2024, 3, 31), "kcal": 1000.0, "weight": 79.0},
            {"day": date(2024, 4, 2), "kcal": 1500.0, "weight": None}]
    mondays, weeks = weekly_columns(window.days, daily_columns(window, rows, ["kcal", "weight"], zero_fill=["kcal"]),
                                    ["kcal"], ["weight"])
    assert mondays == [date(2024, 3, 25), date(2024, 4, 1)]
    assert weeks["kcal"].tolist() == [3000.0, 1500.0] and weeks["days"].tolist() == [2, 2]
    assert weeks["weight"][0] == 79.5
    assert math.isnan(weeks["weight"][1])
    assert week_start(date(2024, 3, 31)) == date(2024, 3, 25)


def test_period_windows_end_today_and_include_it() -> None:
    window = period_window("week", date(2024, 4, 2), BERLIN)
    assert (window.first, window.last, len(window.days)) == (date(2024, 3, 27), date(2024, 4, 2), 7)
    assert len(period_window("year", date(2024, 4, 2), BERLIN).days) == 365


def _pandas_local_day_sums(moments: list[datetime], values: dict[str, list[float | None]], zone: ZoneInfo,
                           ) -> pd.DataFrame:
    """The pandas version `local_day_sums` replaced (so the API process need not import pandas)."""
    stamps = pd.to_datetime(pd.Series(list(moments)), utc=True).dt.tz_convert(str(zone))
    frame = pd.DataFrame({name: pd.to_numeric(pd.Series(list(column)), errors="coerce")
                          for name, column in values.items()})
    frame["day"] = stamps.dt.date.to_numpy()
    frame["n"] = 1
    return frame.groupby("day").sum(min_count=1)


def test_local_day_sums_are_pandas_groupby_sums_to_the_last_bit() -> None:
    # Two months of meals around Berlin's spring change: 1-8 a day at any hour, nutrients with decimals as
    # logged portions give them, some missing (None), a day with no protein at all.
    rng = random.Random(13)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    moments = sorted(start + timedelta(minutes=rng.randrange(60 * 24 * 60)) for _ in range(300))
    values: dict[str, list[float | None]] = {
        name: [None if rng.random() < 0.05 else round(rng.uniform(0, 900), rng.choice((0, 1, 2, 3))) for _ in moments]
        for name in ("kcal_in", "protein_g", "carbs_g", "fat_g")}
    first_day = [i for i, moment in enumerate(moments) if moment.astimezone(BERLIN).date() == date(2024, 3, 1)]
    for i in first_day:
        values["protein_g"][i] = None
    expected = _pandas_local_day_sums(moments, values, BERLIN)
    got = local_day_sums(moments, values, BERLIN)
    assert list(got) == list(expected.index)
    for day, row in expected.iterrows():
        for name in (*values, "n"):
            want, have = float(row[name]), got[day][name]
            assert have == want or (math.isnan(have) and math.isnan(want)), (day, name, have, want)
    assert math.isnan(got[date(2024, 3, 1)]["protein_g"])
