"""Habit schedules and streaks, as pure functions of local calendar dates (no clock, no database).

A scheduled day counts when its check-in count reaches the habit's target. Days outside the schedule
are skipped: they neither break nor extend a streak, and check-ins on them do not count. Today is
still open: not being done yet does not break the current streak, which then ends at the previous
scheduled day.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAILY = "daily"


@dataclass(frozen=True)
class Schedule:
    """The weekdays a habit is due on (0 = Monday, as `date.weekday()`)."""

    weekdays: frozenset[int]
    # [w]: how many of the weekdays 0..w are due (for `due_through`).
    due_in_week_through: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "due_in_week_through",
                           tuple(sum(1 for due in self.weekdays if due <= weekday) for weekday in range(7)))

    @classmethod
    def daily(cls) -> Schedule:
        return cls(frozenset(range(7)))

    @classmethod
    def of(cls, value: str | Iterable[str]) -> Schedule:
        """From the API (`"daily"` or `["mon", "thu"]`) or the database (`"daily"` or `"mon,thu"`)."""
        if isinstance(value, str):
            if value == DAILY:
                return cls.daily()
            value = value.split(",")
        days = [day.strip().lower() for day in value]
        unknown = [day for day in days if day not in WEEKDAYS]
        if unknown or not days:
            raise ValueError(f"weekdays must be among {', '.join(WEEKDAYS)}")
        return cls(frozenset(WEEKDAYS.index(day) for day in days))

    @property
    def is_daily(self) -> bool:
        return len(self.weekdays) == 7

    def includes(self, day: date) -> bool:
        return day.weekday() in self.weekdays

    def due_through(self, day: date) -> int:
        """How many scheduled days there are from the calendar's first day up to `day` included: consecutive
        scheduled days have consecutive counts, and the difference of two counts is the scheduled days between."""
        weeks, weekday = divmod(day.toordinal() - 1, 7)  # ordinal 1 (0001-01-01) is a Monday
        return weeks * len(self.weekdays) + self.due_in_week_through[weekday]


def stored_schedule(value: str | Iterable[str]) -> str:
    """Database form of an API schedule: "daily", or its weekdays in week order ("mon,thu")."""
    if value == DAILY:
        return DAILY
    return ",".join(WEEKDAYS[i] for i in sorted(Schedule.of(value).weekdays))


def schedule_for_api(stored: str) -> str | list[str]:
    return DAILY if stored == DAILY else stored.split(",")


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int
    done_today: bool


def compute_streaks(schedule: Schedule, target_count: int, counts: Mapping[date, int], today: date) -> Streaks:
    """Current and longest streak of scheduled days done, from the check-in count of each date.

    `today` is the user's local date; check-ins after it (a clock ahead of ours) are ignored. Works
    on the done days only (not day by day since the first one), so a check-in dated 1970 costs nothing.
    """
    # Done days as their count of scheduled days through them: two done days are a run when their counts follow.
    done = sorted(schedule.due_through(day) for day, count in counts.items()
                  if count >= target_count and day <= today and schedule.includes(day))
    if not done:
        return Streaks(current=0, longest=0, done_today=False)
    run = longest = 1
    for previous, position in itertools.pairwise(done):
        # A scheduled day missed between two done days breaks the run.
        run = run + 1 if position - previous == 1 else 1
        longest = max(longest, run)
    done_today = schedule.includes(today) and done[-1] == schedule.due_through(today)
    # After the last done day, a missed scheduled day before today ends the current streak; today is still open.
    missed_before_today = schedule.due_through(today - timedelta(days=1)) > done[-1]
    current = run if done_today or not missed_before_today else 0
    return Streaks(current=current, longest=longest, done_today=done_today)
