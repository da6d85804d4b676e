"""Habit completion within a window and streaks, from schedules and daily check-in counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from fitjourney_analytics.compute.calendar import Window
from fitjourney_common.fitness.streaks import Schedule, compute_streaks


@dataclass(frozen=True)
class HabitStats:
    scheduled: int
    done: int
    current_streak: int
    longest_streak: int
    days: Mapping[date, bool] = field(default_factory=dict, compare=False)  # as `habit_days`

    @property
    def completion_rate(self) -> float | None:
        return None if self.scheduled == 0 else self.done / self.scheduled


def habit_days(schedule: str, target_count: int, created_on: date, counts: Mapping[date, int], window: Window,
               today: date) -> dict[date, bool]:
    """Each due day of the window (scheduled, the habit existed, not after today) -> whether it reached the
    target. Today is left out until it is done: it is still open."""
    rule = Schedule.of(schedule)
    out: dict[date, bool] = {}
    for day in window.days:
        if day < created_on or day > today or not rule.includes(day):
            continue
        reached = counts.get(day, 0) >= target_count
        if day == today and not reached:
            continue
        out[day] = reached
    return out


def habit_stats(schedule: str, target_count: int, created_on: date, counts: Mapping[date, int], window: Window,
                today: date) -> HabitStats:
    """Due days of the window, how many reached the target, and the streaks as of `today`."""
    due = habit_days(schedule, target_count, created_on, counts, window, today)
    streaks = compute_streaks(Schedule.of(schedule), target_count, counts, today)
    return HabitStats(scheduled=len(due), done=sum(due.values()), current_streak=streaks.current,
                      longest_streak=streaks.longest, days=due)
