"""Streaks as pure functions of local dates: schedules, targets, gaps, today still open, time zones."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fitjourney_common.fitness.local_time import local_today
from fitjourney_common.fitness.streaks import (
    WEEKDAYS,
    Schedule,
    Streaks,
    compute_streaks,
    schedule_for_api,
    stored_schedule,
)

DAILY = Schedule.daily()
MON_WED_FRI = Schedule.of(["mon", "wed", "fri"])
# A Wednesday, so the weekday arithmetic below is easy to follow.
WED = date(2024, 5, 15)


def days_back(today: date, *offsets: int, count: int = 1) -> dict[date, int]:
    return {today - timedelta(days=offset): count for offset in offsets}


def test_nothing_done_means_no_streak() -> None:
    streaks = compute_streaks(DAILY, 1, {}, WED)
    assert (streaks.current, streaks.longest, streaks.done_today) == (0, 0, False)


def test_consecutive_days_ending_today() -> None:
    streaks = compute_streaks(DAILY, 1, days_back(WED, 0, 1, 2, 3), WED)
    assert (streaks.current, streaks.longest, streaks.done_today) == (4, 4, True)


def test_today_not_done_yet_does_not_break_the_streak() -> None:
    streaks = compute_streaks(DAILY, 1, days_back(WED, 1, 2, 3), WED)
    assert (streaks.current, streaks.longest, streaks.done_today) == (3, 3, False)


def test_yesterday_missed_breaks_it() -> None:
    streaks = compute_streaks(DAILY, 1, days_back(WED, 2, 3, 4), WED)
    assert (streaks.current, streaks.longest) == (0, 3)


def test_a_gap_restarts_the_count_and_longest_remembers_history() -> None:
    counts = days_back(WED, 0, 1) | days_back(WED, 5, 6, 7, 8, 9) | days_back(WED, 20)
    streaks = compute_streaks(DAILY, 1, counts, WED)
    assert (streaks.current, streaks.longest) == (2, 5)


def test_only_days_reaching_the_target_count() -> None:
    counts = {WED: 3, WED - timedelta(days=1): 2, WED - timedelta(days=2): 3}
    assert compute_streaks(DAILY, 3, counts, WED).current == 1
    assert compute_streaks(DAILY, 2, counts, WED).current == 3


def test_non_scheduled_days_neither_break_nor_extend() -> None:
    # Mon/Wed/Fri habit: done Fri 10th, Mon 13th, Wed 15th (today); Sat/Sun/Tue in between are skipped.
    counts = {date(2024, 5, 10): 1, date(2024, 5, 13): 1, WED: 1}
    streaks = compute_streaks(MON_WED_FRI, 1, counts, WED)
    assert (streaks.current, streaks.longest) == (3, 3)


def test_check_ins_on_non_scheduled_days_do_not_count() -> None:
    counts = {date(2024, 5, 11): 1, date(2024, 5, 12): 1, date(2024, 5, 14): 1}  # Sat, Sun, Tue
    streaks = compute_streaks(MON_WED_FRI, 1, counts, WED)
    assert (streaks.current, streaks.longest) == (0, 0)


def test_missed_scheduled_day_breaks_a_weekday_streak() -> None:
    counts = {date(2024, 5, 8): 1, date(2024, 5, 10): 1, WED: 1}  # Wed, Fri, (Mon 13th missed), Wed
    streaks = compute_streaks(MON_WED_FRI, 1, counts, WED)
    assert (streaks.current, streaks.longest) == (1, 2)


def test_today_unscheduled_keeps_the_streak_of_the_last_scheduled_day() -> None:
    thursday = WED + timedelta(days=1)
    counts = {date(2024, 5, 13): 1, WED: 1}
    streaks = compute_streaks(MON_WED_FRI, 1, counts, thursday)
    assert (streaks.current, streaks.done_today) == (2, False)


def test_today_scheduled_but_open_after_an_unscheduled_gap() -> None:
    friday = WED + timedelta(days=2)
    streaks = compute_streaks(MON_WED_FRI, 1, {date(2024, 5, 13): 1, WED: 1}, friday)
    assert streaks.current == 2  # Friday is today and still open


def test_future_check_ins_are_ignored() -> None:
    counts = days_back(WED, 0, 1) | {WED + timedelta(days=1): 1}
    assert compute_streaks(DAILY, 1, counts, WED).current == 2


def test_long_history_is_counted_exactly() -> None:
    counts = {WED - timedelta(days=i): 1 for i in range(400)}
    streaks = compute_streaks(DAILY, 1, counts, WED)
    assert (streaks.current, streaks.longest) == (400, 400)


def walk_day_by_day(schedule: Schedule, target: int, counts: dict[date, int], today: date) -> Streaks:
    """The definition, literally: walk every day from the first done one to today."""
    done = {d for d, c in counts.items() if c >= target and d <= today and schedule.includes(d)}
    if not done:
        return Streaks(0, 0, False)
    run = longest = 0
    day = min(done)
    while day <= today:
        if schedule.includes(day):
            if day in done:
                run += 1
                longest = max(longest, run)
            elif day != today:
                run = 0
        day += timedelta(days=1)
    return Streaks(run, longest, today in done)


def test_streaks_agree_with_walking_every_day() -> None:
    rng = random.Random(20240515)  # fixed seed: the same 500 histories every run
    for _ in range(500):
        schedule = Schedule.of(rng.sample(WEEKDAYS, rng.randint(1, 7)))
        today = WED + timedelta(days=rng.randint(0, 6))
        counts = {today - timedelta(days=rng.randint(-2, 60)): rng.randint(1, 3) for _ in range(rng.randint(0, 40))}
        target = rng.randint(1, 2)
        assert compute_streaks(schedule, target, counts, today) == walk_day_by_day(schedule, target, counts, today)


def test_a_check_in_decades_ago_counts_as_one_day() -> None:
    counts = {date(1970, 1, 1): 1} | days_back(WED, 1, 2)
    assert compute_streaks(DAILY, 1, counts, WED) == Streaks(current=2, longest=2, done_today=False)


@pytest.mark.parametrize(("zone", "expected_today", "current"), [
    # 2024-05-15 20:00 UTC is already Thursday 16th 08:00 in Auckland (UTC+12) but still Wednesday
    # 15th 13:00 in Los Angeles (UTC-7).
    ("Pacific/Auckland", date(2024, 5, 16), 3),
    ("America/Los_Angeles", date(2024, 5, 15), 3),
    ("UTC", date(2024, 5, 15), 3),
])
def test_today_depends_on_the_users_time_zone(zone: str, expected_today: date, current: int) -> None:
    now = datetime(2024, 5, 15, 20, 0, tzinfo=UTC)
    today = local_today(ZoneInfo(zone), now)
    assert today == expected_today
    # Checked in on the 13th, 14th and 15th local dates: in Auckland today (16th) is still open;
    # in Los Angeles today (15th) is done.
    counts = {date(2024, 5, 13): 1, date(2024, 5, 14): 1, date(2024, 5, 15): 1}
    streaks = compute_streaks(DAILY, 1, counts, today)
    assert streaks.current == current
    assert streaks.done_today is (zone != "Pacific/Auckland")


def test_the_same_moment_breaks_a_streak_in_one_zone_and_not_another() -> None:
    # Done on the 13th and 14th only. At 2024-05-15 13:00 UTC it is the 16th 01:00 in Auckland:
    # the 15th was missed there (streak 0); in Los Angeles it is the 15th 06:00, still open (streak 2).
    now = datetime(2024, 5, 15, 13, 0, tzinfo=UTC)
    counts = {date(2024, 5, 13): 1, date(2024, 5, 14): 1}
    auckland = compute_streaks(DAILY, 1, counts, local_today(ZoneInfo("Pacific/Auckland"), now))
    los_angeles = compute_streaks(DAILY, 1, counts, local_today(ZoneInfo("America/Los_Angeles"), now))
    assert (auckland.current, auckland.longest) == (0, 2)
    assert (los_angeles.current, los_angeles.longest) == (2, 2)


def test_schedule_forms() -> None:
    assert stored_schedule("daily") == "daily"
    assert stored_schedule(["fri", "mon"]) == "mon,fri"
    assert schedule_for_api("mon,fri") == ["mon", "fri"]
    assert Schedule.of("mon,fri") == Schedule.of(["fri", "mon"])
    assert Schedule.of("daily").is_daily
    with pytest.raises(ValueError):
        Schedule.of(["someday"])
