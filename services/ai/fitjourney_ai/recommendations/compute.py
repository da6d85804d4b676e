"""Explainable suggestions from a user's numbers: each says what to do, by how much, and why (pure)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fitjourney_ai.trends.compute import TrendReport

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Below this share of the protein target on average, over enough logged days, it is a real shortfall.
PROTEIN_SHORTFALL_SHARE = 0.85
MIN_PROTEIN_DAYS = 5
# A target further than this from the measured expenditure is worth changing (smaller is noise).
TARGET_ADJUSTMENT_KCAL = 150.0
# Hard training days in a row after which a rest day is due; at most this share of one category is monotony.
MAX_TRAINING_STREAK_DAYS = 6
MONOTONY_SHARE = 0.8
MIN_WORKOUTS_FOR_VARIETY = 4
MIN_STREAK_WORTH_KEEPING = 2


@dataclass(frozen=True)
class WorkoutDay:
    day: dt.date
    category: str
    duration_min: float


@dataclass(frozen=True)
class HabitState:
    habit_id: str
    name: str
    schedule: tuple[str, ...]
    checked_days: frozenset[dt.date]


@dataclass
class Recommendation:
    kind: str
    title: str
    why: str
    numbers: dict[str, Any] = field(default_factory=dict)
    priority: int = 2


def calorie_target(trend: TrendReport) -> Recommendation | None:
    """Move the target to what the measured expenditure says reaches the goal's rate."""
    expenditure, maintenance = trend.estimated_expenditure_kcal, trend.formula_maintenance_kcal
    target = trend.formula_target_kcal
    if expenditure is None or maintenance is None or target is None:
        return None
    goal_offset = target - maintenance  # the goal's deficit or surplus, as the formula applies it
    suggested = round((expenditure + goal_offset) / 10) * 10
    change = suggested - target
    if abs(change) < TARGET_ADJUSTMENT_KCAL:
        return None
    return Recommendation(
        kind="calorie_target",
        title=f"{'Raise' if change > 0 else 'Lower'} your daily target to about {suggested:.0f} kcal",
        why=(f"Your intake and weight trend over {trend.window_days} days show you spend about "
             f"{expenditure:.0f} kcal a day, {abs(expenditure - maintenance):.0f} kcal "
             f"{'more' if expenditure > maintenance else 'less'} than the formula's {maintenance:.0f}. Keeping "
             f"your goal's {goal_offset:+.0f} kcal gives {suggested:.0f} instead of {target:.0f}."),
        numbers={"current_target_kcal": target, "suggested_target_kcal": suggested,
                 "estimated_expenditure_kcal": expenditure, "formula_maintenance_kcal": maintenance,
                 "change_kcal": change},
        priority=1,
    )


def protein(daily_protein_g: dict[dt.date, float], target_g: float | None) -> Recommendation | None:
    logged = [grams for grams in daily_protein_g.values() if grams > 0]
    if target_g is None or target_g <= 0 or len(logged) < MIN_PROTEIN_DAYS:
        return None
    mean = sum(logged) / len(logged)
    if mean >= PROTEIN_SHORTFALL_SHARE * target_g:
        return None
    gap = target_g - mean
    return Recommendation(
        kind="protein",
        title=f"Eat about {gap:.0f} g more protein a day",
        why=(f"You averaged {mean:.0f} g of protein on {len(logged)} logged days, {mean / target_g:.0%} of your "
             f"{target_g:.0f} g target. For example 150 g of Greek yoghurt (~15 g) or 100 g of chicken "
             "breast (~31 g) closes much of it."),
        numbers={"mean_protein_g": round(mean, 1), "target_protein_g": round(target_g, 1),
                 "shortfall_g": round(gap, 1), "logged_days": len(logged)},
    )


def training_balance(workouts: list[WorkoutDay], today: dt.date, window_days: int = 14) -> list[Recommendation]:
    """Rest after a long run of training days; another kind of training when one kind dominates."""
    recent = [w for w in workouts if today - dt.timedelta(days=window_days - 1) <= w.day <= today]
    result: list[Recommendation] = []
    trained = {w.day for w in recent}
    streak, day = 0, today
    while day in trained:
        streak, day = streak + 1, day - dt.timedelta(days=1)
    if streak >= MAX_TRAINING_STREAK_DAYS:
        result.append(Recommendation(
            kind="rest_day", title="Take a rest day",
            why=(f"You trained {streak} days in a row. Muscles adapt during recovery; one easy day (a walk, "
                 "stretching) every week lowers injury risk."),
            numbers={"consecutive_training_days": streak}, priority=1))
    if len(recent) >= MIN_WORKOUTS_FOR_VARIETY:
        counts = Counter(w.category for w in recent)
        category, count = counts.most_common(1)[0]
        share = count / len(recent)
        if share >= MONOTONY_SHARE:
            other = "strength training" if category != "strength" else "cardio (running, cycling, swimming)"
            result.append(Recommendation(
                kind="variety", title=f"Add {other} to your week",
                why=(f"{count} of your {len(recent)} workouts in the last {window_days} days were {category}. "
                     "Mixing endurance and strength work trains more of the body and spreads the load."),
                numbers={"workouts": len(recent), "dominant_category": category, "share": round(share, 2)}))
    elif not recent:
        result.append(Recommendation(
            kind="activity", title="Plan a workout this week",
            why=f"No workout logged in the last {window_days} days; adults are advised 150 minutes of moderate "
                "activity a week (WHO).",
            numbers={"workouts": 0, "window_days": window_days}))
    return result


def habit_streak(habit: HabitState, before: dt.date) -> int:
    """Scheduled days in a row checked in, counting back from the scheduled day before `before`."""
    if not habit.schedule:
        return 0
    streak, day = 0, before - dt.timedelta(days=1)
    for _ in range(366):
        if WEEKDAYS[day.weekday()] in habit.schedule:
            if day not in habit.checked_days:
                break
            streak += 1
        day -= dt.timedelta(days=1)
    return streak


def habits_at_risk(habits: list[HabitState], today: dt.date) -> list[Recommendation]:
    """Habits due today, not yet checked in, whose streak ends at midnight."""
    result = []
    for habit in habits:
        if WEEKDAYS[today.weekday()] not in habit.schedule or today in habit.checked_days:
            continue
        streak = habit_streak(habit, today)
        if streak >= MIN_STREAK_WORTH_KEEPING:
            result.append(Recommendation(
                kind="habit_streak", title=f"Check in \u201c{habit.name}\u201d today",
                why=f"It is due today and your {streak}-day streak ends at midnight without a check-in.",
                numbers={"habit_id": habit.habit_id, "streak": streak}, priority=1))
    return result


def recommend(
    *, trend: TrendReport, protein_target_g: float | None, daily_protein_g: dict[dt.date, float],
    workouts: list[WorkoutDay], habits: list[HabitState], today: dt.date,
) -> list[Recommendation]:
    found: list[Recommendation | None] = [calorie_target(trend), protein(daily_protein_g, protein_target_g)]
    found.extend(training_balance(workouts, today))
    found.extend(habits_at_risk(habits, today))
    return sorted((r for r in found if r is not None), key=lambda r: r.priority)
