"""Each suggestion appears when its numbers call for it, and not otherwise."""

from __future__ import annotations

import datetime as dt

from fitjourney_ai.recommendations.compute import (
    HabitState,
    WorkoutDay,
    calorie_target,
    habits_at_risk,
    protein,
    training_balance,
)
from fitjourney_ai.trends.compute import TrendReport

TODAY = dt.date(2026, 11, 30)  # a Monday


def trend(expenditure: float | None, maintenance: float = 2200, target: float = 1650) -> TrendReport:
    return TrendReport(as_of=TODAY, window_days=28, logged_days=25, partial_days_excluded=0, weigh_ins=20,
                       estimated_expenditure_kcal=expenditure, formula_maintenance_kcal=maintenance,
                       formula_target_kcal=target)


def test_target_follows_the_measured_expenditure_keeping_the_goal_deficit() -> None:
    suggestion = calorie_target(trend(2600))
    assert suggestion is not None
    # measured 2,600 - the goal's 550 deficit = 2,050 instead of 1,650
    assert suggestion.numbers["suggested_target_kcal"] == 2050
    assert suggestion.numbers["change_kcal"] == 400
    assert "2600" in suggestion.why
    assert calorie_target(trend(2250)) is None      # within noise
    assert calorie_target(trend(None)) is None      # nothing measured


def test_protein_shortfall_needs_enough_days_below_target() -> None:
    days = {TODAY - dt.timedelta(days=i): 70.0 for i in range(7)}
    suggestion = protein(days, 110.0)
    assert suggestion is not None and suggestion.numbers["shortfall_g"] == 40.0
    assert protein(days, 80.0) is None
    assert protein(dict(list(days.items())[:3]), 110.0) is None


def test_rest_day_after_six_training_days_and_variety() -> None:
    workouts = [WorkoutDay(TODAY - dt.timedelta(days=i), "running", 40) for i in range(7)]
    kinds = {r.kind for r in training_balance(workouts, TODAY)}
    assert kinds == {"rest_day", "variety"}
    mixed = [WorkoutDay(TODAY - dt.timedelta(days=2 * i), c, 40) for i, c in enumerate(["running", "strength"] * 2)]
    assert training_balance(mixed, TODAY) == []
    assert [r.kind for r in training_balance([], TODAY)] == ["activity"]


def test_habit_due_today_with_a_streak_is_at_risk() -> None:
    checked = frozenset(TODAY - dt.timedelta(days=d) for d in (3, 5, 7))   # fri, wed, mon
    habit = HabitState("h1", "Stretch", ("mon", "wed", "fri"), checked)
    [risk] = habits_at_risk([habit], TODAY)
    assert risk.numbers == {"habit_id": "h1", "streak": 3}
    assert habits_at_risk([HabitState("h1", "Stretch", ("mon",), checked | {TODAY})], TODAY) == []
    assert habits_at_risk([HabitState("h2", "Read", ("tue",), checked)], TODAY) == []
