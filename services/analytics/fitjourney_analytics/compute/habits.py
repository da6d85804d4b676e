"""Habit completion within a window and streaks, from schedules and daily check-in counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from fitjourney_analytics.compute.calendar import Window
from fitjourney_common.fitness.streaks import Schedule, compute_streaks


@dataclass(frozen=True)
class HabitStats:
    scheduled: int
    done: int
    current_streak: int
    longest_streak: int

    @property
    def completion_rate(self) -> float | None:
        return None if self.scheduled == 0 else self.done / self.scheduled


def habit_stats(schedule: str, target_count: int, created_on: date, counts: Mapping[date, int], window: Window,
                today: date) -> HabitStats:
    """Scheduled days of the window since the habit existed (today included only once done: it is
    still open), how many reached the target, and the streaks as of `today`."""
    rule = Schedule.of(schedule)
    scheduled = done = 0
    for day in window.days:
        if day < created_on or not rule.includes(day) or day > today:
            continue
        reached = counts.get(day, 0) >= target_count
        if day == today and not reached:
            continue
        scheduled += 1
        done += int(reached)
    streaks = compute_streaks(rule, target_count, counts, today)
    return HabitStats(scheduled=scheduled, done=done, current_streak=streaks.current,
                      longest_streak=streaks.longest)


def scheduled_per_day(schedule: str, created_on: date, window: Window) -> dict[date, int]:
    """1 on each day of the window the habit was due (and existed), for the per-day completion series."""
    rule = Schedule.of(schedule)
    return {day: 1 for day in window.days if day >= created_on and rule.includes(day)}
