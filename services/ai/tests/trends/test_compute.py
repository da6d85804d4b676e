"""Energy expenditure from intake and weight trend, on series built by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from fitjourney_ai.trends.compute import (
    WEIGHT_HALFLIFE_DAYS,
    WeighIn,
    compute_trend,
    smoothed_weight,
    theil_sen_slope,
)
from fitjourney_ai.trends.targets import Profile, formula_targets

TODAY = dt.date(2026, 11, 30)
PROFILE = Profile(birth_date=dt.date(1990, 4, 1), sex="female", height_cm=168, activity_level="moderate",
                  goal="lose", target_weight_kg=66.0, weekly_rate_kg=0.5)
# Water-weight noise a scale shows from day to day (kg): a salty dinner, a long run, a heavy meal.
NOISE = [0.0, 0.6, -0.4, 0.9, -0.7, 0.2, -0.3, 0.8, -0.9, 0.1, 0.5, -0.6, 0.3, -0.2]


def days_back(n: int) -> list[dt.date]:
    return [TODAY - dt.timedelta(days=i) for i in range(n)][::-1]


def losing_half_a_kilo_a_week(every: int = 1) -> list[WeighIn]:
    days = days_back(28)
    return [WeighIn(day, 72.0 - 0.5 / 7 * i + NOISE[i % len(NOISE)]) for i, day in enumerate(days) if i % every == 0]


def test_expenditure_is_intake_plus_the_deficit_the_weight_shows() -> None:
    intake = {day: 2200.0 for day in days_back(28)}
    report = compute_trend(TODAY, intake, losing_half_a_kilo_a_week(), PROFILE)
    assert report.missing == []
    assert report.weight_trend_kg_per_week == pytest.approx(-0.5, abs=0.06)
    # 2,200 kcal eaten + 0.5 kg/week x 7,700 kcal/kg / 7 days = 2,750 kcal a day
    assert report.estimated_expenditure_kcal == pytest.approx(2750, abs=60)
    assert report.logged_days == 28


def test_missing_days_and_partial_days_do_not_bias_it() -> None:
    intake = {day: 2200.0 for i, day in enumerate(days_back(28)) if i % 3 != 0}   # a third not logged
    intake[TODAY - dt.timedelta(days=2)] = 350.0                                  # only breakfast logged
    report = compute_trend(TODAY, intake, losing_half_a_kilo_a_week(every=3), PROFILE)
    assert report.partial_days_excluded == 1
    assert report.mean_intake_kcal == 2200
    assert report.estimated_expenditure_kcal == pytest.approx(2750, abs=80)


def test_goal_date_at_the_current_rate() -> None:
    intake = {day: 2200.0 for day in days_back(28)}
    report = compute_trend(TODAY, intake, losing_half_a_kilo_a_week(), PROFILE)
    assert report.goal_status == "on track"
    assert report.smoothed_weight_kg is not None and report.weight_trend_kg_per_week is not None
    weeks = (66.0 - report.smoothed_weight_kg) / report.weight_trend_kg_per_week
    assert report.goal_date == TODAY + dt.timedelta(days=round(weeks * 7))


def test_gaining_while_the_goal_is_to_lose_is_not_on_track() -> None:
    weights = [WeighIn(day, 70.0 + 0.05 * i) for i, day in enumerate(days_back(28))]
    report = compute_trend(TODAY, {d: 2500.0 for d in days_back(28)}, weights, PROFILE)
    assert report.goal_status == "not on track"
    assert report.goal_date is None


def test_too_little_data_says_what_is_missing() -> None:
    report = compute_trend(TODAY, {TODAY: 2000.0}, [WeighIn(TODAY, 70.0)], PROFILE)
    assert report.estimated_expenditure_kcal is None
    assert len(report.missing) == 2


def test_formula_compares_with_mifflin_st_jeor() -> None:
    # female, 36 on 2026-11-30, 168 cm, 70 kg: 10*70 + 6.25*168 - 5*36 - 161 = 1,409 kcal; x 1.55 = 2,183.95
    targets = formula_targets(PROFILE, 70.0, TODAY)
    assert targets is not None
    assert targets.bmr_kcal == pytest.approx(1409.0)
    assert targets.maintenance_kcal == pytest.approx(2183.95)
    assert targets.target_kcal == pytest.approx(2183.95 - 550.0)


def test_theil_sen_ignores_one_outlier() -> None:
    import numpy as np
    days = np.arange(10, dtype=float)
    weights = 80.0 - 0.1 * days
    weights[5] += 3.0
    assert theil_sen_slope(days, weights) == pytest.approx(-0.1)


@pytest.mark.parametrize("every", [1, 3])
def test_smoothed_weight_equals_pandas_time_aware_ewm(every: int) -> None:
    # pandas was what the trend used; it is no longer imported by ai, so the smoothing is held equal to it here.
    pd = pytest.importorskip("pandas")
    weigh_ins = [*losing_half_a_kilo_a_week(every), WeighIn(TODAY, 70.4)]  # two weigh-ins on the last day
    series = pd.Series([w.weight_kg for w in weigh_ins],
                       index=pd.DatetimeIndex([pd.Timestamp(w.measured_on) for w in weigh_ins]))
    series = series.groupby(level=0).mean().sort_index()
    expected = series.ewm(halflife=pd.Timedelta(days=WEIGHT_HALFLIFE_DAYS), times=series.index).mean().iloc[-1]
    assert smoothed_weight(weigh_ins) == pytest.approx(expected, rel=1e-12)
