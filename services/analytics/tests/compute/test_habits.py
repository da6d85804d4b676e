"""Habit completion rates and streaks within a window (today still open); streaks on arrays equal the shared
rules."""

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from fitjourney_analytics.compute.calendar import Window
from fitjourney_analytics.compute.habits import CheckIns, habit_days, habit_stats, streaks
from fitjourney_common.fitness.streaks import WEEKDAYS, Schedule, compute_streaks

UTC = ZoneInfo("UTC")
WINDOW = Window(date(2024, 5, 6), date(2024, 5, 12), UTC)  # Mon 6 .. Sun 12 May 2024


def test_daily_habit_with_a_gap() -> None:
    # Done Mon, Tue, Thu, Fri; Sat missed; Sunday (today) not yet: 6 scheduled days count, 4 done.
    counts = {date(2024, 5, d): 1 for d in (6, 7, 9, 10)}
    stats = habit_stats("daily", 1, date(2024, 5, 1), counts, WINDOW, today=date(2024, 5, 12))
    assert (stats.scheduled, stats.done) == (6, 4)
    assert stats.completion_rate == pytest.approx(4 / 6)
    assert (stats.current_streak, stats.longest_streak) == (0, 2)


def test_today_counts_once_done_and_weekday_schedules_skip_other_days() -> None:
    # Mon/Wed/Fri habit created on Wednesday: Wed 8 and Fri 10 are due; today is Friday and done.
    counts = {date(2024, 5, 8): 2, date(2024, 5, 10): 2, date(2024, 5, 9): 5}
    stats = habit_stats("mon,wed,fri", 2, date(2024, 5, 8), counts, WINDOW, today=date(2024, 5, 10))
    assert (stats.scheduled, stats.done, stats.current_streak) == (2, 2, 2)
    assert habit_days("mon,wed,fri", 2, date(2024, 5, 8), counts, WINDOW, date(2024, 5, 10)) == {
        date(2024, 5, 8): True, date(2024, 5, 10): True}


def test_below_target_is_not_done_and_nothing_due_has_no_rate() -> None:
    stats = habit_stats("daily", 3, date(2024, 5, 6), {date(2024, 5, 6): 2}, WINDOW, today=date(2024, 5, 7))
    assert (stats.scheduled, stats.done) == (1, 0)
    empty = habit_stats("sat", 1, date(2024, 5, 6), {}, WINDOW, today=date(2024, 5, 7))
    assert empty.scheduled == 0 and empty.completion_rate is None


def test_streaks_on_arrays_equal_the_shared_rules() -> None:
    # The dashboard computes streaks on arrays; core's rules (`compute_streaks`) are the reference, on random
    # schedules, targets, check-ins a year back (gaps, counts under the target, some after today) and todays.
    rng = random.Random(13)
    for _ in range(400):
        weekdays = rng.sample(WEEKDAYS, rng.randint(1, 7))
        schedule = "daily" if len(weekdays) == 7 and rng.random() < 0.5 else ",".join(weekdays)
        target = rng.randint(1, 3)
        today = date(2024, 3, 1) + timedelta(days=rng.randint(0, 400))
        density = rng.random()
        counts = {today - timedelta(days=offset): rng.randint(0, 4)
                  for offset in range(-3, 370) if rng.random() < density}
        rule = Schedule.of(schedule)
        assert streaks(rule, target, CheckIns.of(counts), today) == compute_streaks(rule, target, counts, today), (
            schedule, target, today, counts)
