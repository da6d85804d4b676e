"""Energy-balance trend: real daily expenditure from intake and smoothed weight change (pure, numpy).

No pandas: the API process would hold it (32 MiB resident) for a median, a mean and one smoothed value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from fitjourney_ai.trends.targets import Profile, formula_targets

KCAL_PER_KG = 7700.0
WINDOW_DAYS = 28
# Fewer than this and the answer would be noise: say what is missing instead.
MIN_LOGGED_DAYS = 7
MIN_WEIGH_INS = 3
MIN_WEIGH_SPAN_DAYS = 7
# A logged day far below the person's usual intake is most often a day logged only in part.
PARTIAL_DAY_SHARE = 0.4
# Smoothing of the weight series (time-aware, so missing days weigh by their distance, not by count).
WEIGHT_HALFLIFE_DAYS = 7.0
# Faster than this (kg/week) is water, not tissue; the rate is not projected into a goal date.
PLAUSIBLE_RATE_KG_WEEK = 1.5


@dataclass(frozen=True)
class WeighIn:
    measured_on: dt.date
    weight_kg: float


@dataclass
class TrendReport:
    as_of: dt.date
    window_days: int
    logged_days: int
    partial_days_excluded: int
    weigh_ins: int
    mean_intake_kcal: float | None = None
    weight_trend_kg_per_week: float | None = None
    smoothed_weight_kg: float | None = None
    estimated_expenditure_kcal: float | None = None
    formula_maintenance_kcal: float | None = None
    formula_target_kcal: float | None = None
    difference_from_formula_kcal: float | None = None
    goal_weight_kg: float | None = None
    goal_date: dt.date | None = None
    goal_status: str = "unknown"
    missing: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)


def theil_sen_slope(days: np.ndarray, weights: np.ndarray) -> float:
    """Median of the pairwise slopes (kg/day): one salty dinner or a skipped weigh-in barely moves it."""
    i, j = np.triu_indices(len(days), k=1)
    spans = days[j] - days[i]
    valid = spans != 0
    return float(np.median((weights[j][valid] - weights[i][valid]) / spans[valid]))


def smoothed_weight(weigh_ins: list[WeighIn]) -> float:
    """Exponentially smoothed weight on the last weigh-in date, half-life in days rather than in samples
    (pandas' `ewm(halflife=…, times=…).mean()`, which a test holds it equal to): a day's weigh-ins are
    averaged first, then each day weighs 0.5 ** (days before the last / half-life)."""
    by_day: dict[dt.date, list[float]] = {}
    for weigh_in in weigh_ins:
        by_day.setdefault(weigh_in.measured_on, []).append(weigh_in.weight_kg)
    last = max(by_day)
    ages = np.array([(last - day).days for day in by_day], dtype=float)
    means = np.array([sum(kgs) / len(kgs) for kgs in by_day.values()])
    decay = 0.5 ** (ages / WEIGHT_HALFLIFE_DAYS)
    return float((decay * means).sum() / decay.sum())


def compute_trend(
    as_of: dt.date, daily_intake: dict[dt.date, float], weigh_ins: list[WeighIn], profile: Profile | None,
    *, window_days: int = WINDOW_DAYS,
) -> TrendReport:
    """Expenditure = mean intake - (weight slope x 7,700 kcal/kg) over the last `window_days` days."""
    start = as_of - dt.timedelta(days=window_days - 1)
    in_window = {day: kcal for day, kcal in daily_intake.items() if start <= day <= as_of and kcal > 0}
    weights = sorted((w for w in weigh_ins if start <= w.measured_on <= as_of), key=lambda w: w.measured_on)
    report = TrendReport(as_of=as_of, window_days=window_days, logged_days=0, partial_days_excluded=0,
                         weigh_ins=len(weights))

    if in_window:
        intake = np.array(list(in_window.values()), dtype=float)
        partial = intake < PARTIAL_DAY_SHARE * float(np.median(intake))
        report.partial_days_excluded = int(partial.sum())
        intake = intake[~partial]
        report.logged_days = len(intake)
        report.mean_intake_kcal = round(float(intake.mean()), 0)
    if report.logged_days < MIN_LOGGED_DAYS:
        report.missing.append(f"food logged on at least {MIN_LOGGED_DAYS} of the last {window_days} days "
                              f"(now {report.logged_days})")

    span = (weights[-1].measured_on - weights[0].measured_on).days if weights else 0
    if len(weights) >= MIN_WEIGH_INS and span >= MIN_WEIGH_SPAN_DAYS:
        days = np.array([(w.measured_on - start).days for w in weights], dtype=float)
        slope = theil_sen_slope(days, np.array([w.weight_kg for w in weights]))
        report.weight_trend_kg_per_week = round(slope * 7, 2)
        report.smoothed_weight_kg = round(smoothed_weight(weights), 1)
    else:
        report.missing.append(f"at least {MIN_WEIGH_INS} weigh-ins at least {MIN_WEIGH_SPAN_DAYS} days apart "
                              f"in the last {window_days} days (now {len(weights)} over {span} days)")

    latest_weight = report.smoothed_weight_kg or (weights[-1].weight_kg if weights else None)
    if profile is not None and latest_weight is not None:
        targets = formula_targets(profile, latest_weight, as_of)
        if targets is not None:
            report.formula_maintenance_kcal = round(targets.maintenance_kcal, 0)
            report.formula_target_kcal = round(targets.target_kcal, 0)

    if report.mean_intake_kcal is not None and report.weight_trend_kg_per_week is not None and not report.missing:
        expenditure = report.mean_intake_kcal - report.weight_trend_kg_per_week / 7 * KCAL_PER_KG
        report.estimated_expenditure_kcal = round(expenditure, 0)
        report.explanation.append(
            f"You ate {report.mean_intake_kcal:.0f} kcal a day on average ({report.logged_days} complete days "
            f"logged) and your smoothed weight changed {report.weight_trend_kg_per_week:+.2f} kg a week; at "
            f"{KCAL_PER_KG:.0f} kcal per kg that means you spend about {expenditure:.0f} kcal a day.")
        if report.formula_maintenance_kcal is not None:
            report.difference_from_formula_kcal = round(expenditure - report.formula_maintenance_kcal, 0)
            report.explanation.append(
                f"The profile's formula (Mifflin-St Jeor x activity factor) puts your maintenance at "
                f"{report.formula_maintenance_kcal:.0f} kcal, {abs(report.difference_from_formula_kcal):.0f} kcal "
                f"{'below' if report.difference_from_formula_kcal > 0 else 'above'} what your data shows.")
    _goal(report, profile)
    return report


def _goal(report: TrendReport, profile: Profile | None) -> None:
    if profile is None or profile.target_weight_kg is None:
        report.goal_status = "no goal weight"
        return
    report.goal_weight_kg = profile.target_weight_kg
    rate = report.weight_trend_kg_per_week
    current = report.smoothed_weight_kg
    if rate is None or current is None:
        report.goal_status = "unknown"
        return
    to_go = profile.target_weight_kg - current
    if abs(to_go) < 0.5:
        report.goal_status = "reached"
        return
    if rate == 0 or (to_go > 0) != (rate > 0):
        report.goal_status = "not on track"
        report.explanation.append(
            f"Your weight trend ({rate:+.2f} kg/week) is not heading to {profile.target_weight_kg:g} kg.")
        return
    if abs(rate) > PLAUSIBLE_RATE_KG_WEEK:
        report.goal_status = "not on track"
        report.explanation.append(f"{rate:+.2f} kg/week is faster than fat changes; it is mostly water, "
                                  "so no date is projected from it.")
        return
    weeks = to_go / rate
    report.goal_date = report.as_of + dt.timedelta(days=round(weeks * 7))
    report.goal_status = "on track"
    report.explanation.append(f"At {rate:+.2f} kg/week you reach {profile.target_weight_kg:g} kg around "
                              f"{report.goal_date.isoformat()} ({weeks:.0f} weeks).")
