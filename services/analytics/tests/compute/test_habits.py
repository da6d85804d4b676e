"""Habit completion rates and streaks within a window (today still open)."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from fitjourney_analytics.compute.calendar import Window
from fitjourney_analytics.compute.habits import habit_days, habit_stats

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
