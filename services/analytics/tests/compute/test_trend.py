"""The day-based EMA and the Theil-Sen trend against figures worked out by hand."""

from datetime import date, timedelta

import pandas as pd
import pytest

from fitjourney_analytics.compute.trend import day_ema, robust_trend

D0 = date(2024, 1, 1)


def days(*offsets: int) -> list[date]:
    return [D0 + timedelta(days=offset) for offset in offsets]


def test_ema_on_consecutive_days() -> None:
    # alpha 0.25: 80; 0.75*80 + 0.25*84 = 81; 0.75*81 + 0.25*80 = 80.75
    assert day_ema(days(0, 1, 2), [80, 84, 80]) == pytest.approx([80.0, 81.0, 80.75])


def test_ema_equals_pandas_span_7_on_a_daily_series() -> None:
    values = [80, 81.2, 79.5, 80.1, 80.0, 79.2, 78.8, 79.9]
    expected = pd.Series(values).ewm(span=7, adjust=False).mean().tolist()
    assert day_ema(days(*range(len(values))), values) == pytest.approx(expected)


def test_a_gap_counts_as_the_days_it_lasted() -> None:
    # Two days apart: the old average keeps 0.75**2 = 0.5625: 80*0.5625 + 84*0.4375 = 81.75
    assert day_ema(days(0, 2), [80, 84]) == pytest.approx([80.0, 81.75])


def test_theil_sen_ignores_one_bad_weighing() -> None:
    # y = 80 - 0.1 x for x = 0..6, but day 3 reads 90. 15 of the 21 pairwise slopes are -0.1: median -0.1.
    values = [80 - 0.1 * x for x in range(7)]
    values[3] = 90.0
    trend = robust_trend(days(*range(7)), values)
    assert trend.n == 7
    assert trend.slope_per_day == pytest.approx(-0.1)
    assert trend.slope_per_week == pytest.approx(-0.7)
    assert trend.ci_per_week is not None
    low, high = trend.ci_per_week
    assert low <= -0.7 <= high and high < 0
    assert trend.direction == "down"


def test_a_noisy_flat_series_is_flat() -> None:
    trend = robust_trend(days(0, 1, 2, 3, 4, 5), [80, 81, 79, 80.5, 79.5, 80])
    assert trend.direction == "flat"
    assert trend.ci_per_week is not None and trend.ci_per_week[0] < 0 < trend.ci_per_week[1]


def test_rising_series_is_up() -> None:
    trend = robust_trend(days(0, 2, 4, 6, 8), [1.0, 2.0, 3.0, 4.0, 5.0])
    assert trend.slope_per_week == pytest.approx(3.5) and trend.direction == "up"


@pytest.mark.parametrize(("offsets", "values"), [((), []), ((0, 1), [1.0, 2.0]), ((3, 3, 3), [1.0, 2.0, 3.0])])
def test_too_little_data_is_unknown(offsets: tuple[int, ...], values: list[float]) -> None:
    trend = robust_trend(days(*offsets), values)
    assert (trend.direction, trend.slope_per_week, trend.ci_per_week) == ("unknown", None, None)


@pytest.mark.parametrize("seed", range(40))
def test_theil_sen_gives_scipys_slope_and_interval(seed: int) -> None:
    """Random series with repeated days and repeated values (ties change Sen's interval): scipy's figures."""
    import numpy as np
    from scipy import stats

    from fitjourney_analytics.compute.trend import theil_sen

    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 120))
    x = np.sort(rng.integers(0, max(3, n // (1 + seed % 3)), n)).astype(float)
    y = np.round(80 + rng.normal(0, 1.5, n) - 0.02 * x, 1 if seed % 2 else 0)
    if len(set(x.tolist())) < 2:
        x[-1] = x[0] + 1
    expected = stats.theilslopes(y, x, alpha=0.95)
    got = theil_sen(x, y, 0.95)
    assert got.slope == pytest.approx(expected.slope)
    assert got.low == pytest.approx(expected.low_slope, nan_ok=True)
    assert got.high == pytest.approx(expected.high_slope, nan_ok=True)


def test_the_api_process_loads_neither_scipy_stats_nor_matplotlib_nor_pandas() -> None:
    """They would cost every analytics API process 66 MB, 27 MB and ~30 MiB: trends use our Theil-Sen, the
    dashboard and trends compute on numpy arrays, and only the worker that builds a report imports pandas and
    matplotlib."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, fitjourney_analytics.main; "
         "print(sorted(m for m in ('scipy.stats', 'matplotlib', 'pandas') if m in sys.modules))"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
