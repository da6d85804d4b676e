"""Habit completion within a window and streaks, from schedules and daily check-in counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from fitjourney_analytics.compute.calendar import Window
from fitjourney_common.fitness.streaks import Schedule, Streaks


@dataclass(frozen=True)
class CheckIns:
    """A habit's check-in count per local date, as two arrays: the dates' ordinals (`date.toordinal()`) and the
    counts. A year of daily check-ins is two arrays rather than 366 dates to build and look up one by one."""

    ordinals: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, counts: Mapping[date, int]) -> CheckIns:
        return cls(np.fromiter((day.toordinal() for day in counts), dtype=np.int64, count=len(counts)),
                   np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))

    def between(self, first: date, last: date) -> dict[date, int]:
        """Count per date from `first` to `last` (both included), the dates that have a check-in."""
        inside = (self.ordinals >= first.toordinal()) & (self.ordinals <= last.toordinal())
        return {date.fromordinal(ordinal): count
                for ordinal, count in zip(self.ordinals[inside].tolist(), self.counts[inside].tolist(), strict=True)}


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


def streaks(schedule: Schedule, target_count: int, check_ins: CheckIns, today: date) -> Streaks:
    """`fitjourney_common.fitness.streaks.compute_streaks` on arrays (a test holds the two equal): the done days
    as their count of scheduled days through them (`Schedule.due_through`), runs where those counts follow."""
    ordinals, counts = check_ins.ordinals, check_ins.counts
    weekday = (ordinals - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
    due = np.zeros(7, dtype=bool)
    due[list(schedule.weekdays)] = True
    done = (counts >= target_count) & (ordinals <= today.toordinal()) & due[weekday]
    if not done.any():
        return Streaks(current=0, longest=0, done_today=False)
    through = np.asarray(schedule.due_in_week_through, dtype=np.int64)
    positions = np.sort((ordinals[done] - 1) // 7 * len(schedule.weekdays) + through[weekday[done]])
    # Run lengths: a scheduled day missed between two done days (counts not consecutive) starts a new run.
    ends = np.concatenate(([-1], np.flatnonzero(np.diff(positions) != 1), [positions.size - 1]))
    runs = np.diff(ends)
    last = int(positions[-1])
    done_today = schedule.includes(today) and last == schedule.due_through(today)
    missed_before_today = schedule.due_through(today - timedelta(days=1)) > last
    current = int(runs[-1]) if done_today or not missed_before_today else 0
    return Streaks(current=current, longest=int(runs.max()), done_today=done_today)


def habit_stats(schedule: str, target_count: int, created_on: date, counts: Mapping[date, int] | CheckIns,
                window: Window, today: date) -> HabitStats:
    """Due days of the window, how many reached the target, and the streaks as of `today`."""
    check_ins = counts if isinstance(counts, CheckIns) else CheckIns.of(counts)
    due = habit_days(schedule, target_count, created_on, check_ins.between(window.first, window.last), window, today)
    run = streaks(Schedule.of(schedule), target_count, check_ins, today)
    return HabitStats(scheduled=len(due), done=sum(due.values()), current_streak=run.current,
                      longest_streak=run.longest, days=due)
