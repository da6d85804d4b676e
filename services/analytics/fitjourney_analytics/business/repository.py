"""SQL of the business metrics: activity across every user in core (read-only role), sign-ups in analytics.

"Active" on a day means the user wrote something to core that day (UTC): a food log, a workout, a
body metric, a habit check-in or a journal entry. Rows deleted later still count: the visit happened.

On PostgreSQL every figure comes from one statement that reads each table once (the writes of the range
are grouped per user and day, and everything is counted from those); SQLite (dev) runs a few simpler
queries and joins the cohorts in Python.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ARRAY, Date, bindparam, delete, func, select, text
from sqlalchemy import Uuid as UuidType
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.compute.calendar import week_start
from fitjourney_analytics.coredata.repository import PARAM_TYPES, sql
from fitjourney_analytics.models import Registration

ACTIVITY_TABLES = ("food_logs", "workouts", "body_metrics", "habit_check_ins", "journal_entries")


def _activity(kinds: tuple[str, ...] = ACTIVITY_TABLES) -> str:
    """One row per write of the given kinds in [:start, :end). Table names come only from ACTIVITY_TABLES."""
    unknown = set(kinds) - set(ACTIVITY_TABLES)
    if unknown:
        raise ValueError(f"not an activity table: {sorted(unknown)}")
    return " UNION ALL ".join(
        f"SELECT user_id, created_at AS at FROM core.{kind} "  # noqa: S608 - constant table names
        "WHERE created_at >= :start AND created_at < :end" for kind in kinds)


def _day(session: AsyncSession) -> str:
    return "(at AT TIME ZONE 'UTC')::date" if session.get_bind().dialect.name == "postgresql" else "date(at)"


def _week(session: AsyncSession) -> str:
    """The Monday of the UTC week of `at`."""
    if session.get_bind().dialect.name == "postgresql":
        return "date_trunc('week', at AT TIME ZONE 'UTC')::date"
    return "date(at, 'weekday 0', '-6 days')"


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class ActivitySummary:
    """Activity counts of the UTC days `first`..`last` (both included)."""

    daily: dict[date, int]  # users active on each day that had any
    in_range: int  # users active in the range
    wau: int  # ... in the 7 days ending `last`
    mau: int  # ... in the 30 days ending `last`
    workouts: int
    workout_users: int
    food_logs: int
    food_users: int
    food_user_days: int  # (user, day) pairs with a food log
    cohort_active: dict[tuple[date, int], int]  # (cohort's Monday, weeks after it) -> its members active that week


def _summary_statement() -> str:
    kinds = " UNION ALL ".join(
        f"SELECT user_id, created_at, {int(kind == 'workouts')} AS workouts, {int(kind == 'food_logs')} AS food "  # noqa: S608
        f"FROM core.{kind} WHERE created_at >= :scan_start AND created_at < :end" for kind in ACTIVITY_TABLES)
    return f"""
    WITH user_days AS MATERIALIZED (
        SELECT user_id, (created_at AT TIME ZONE 'UTC')::date AS day, sum(workouts) AS workouts, sum(food) AS food
          FROM ({kinds}) AS activity GROUP BY 1, 2
    ), users AS (
        SELECT max(day) AS last_day, bool_or(day >= :first) AS in_range,
               coalesce(sum(workouts) FILTER (WHERE day >= :first), 0) AS workouts,
               coalesce(sum(food) FILTER (WHERE day >= :first), 0) AS food,
               count(*) FILTER (WHERE day >= :first AND food > 0) AS food_days
          FROM user_days GROUP BY user_id
    ), cohorts AS (
        SELECT user_id, date_trunc('week', CAST(signed_up AS timestamp))::date AS week
          FROM unnest(CAST(:cohort_ids AS uuid[]), CAST(:cohort_days AS date[])) AS c (user_id, signed_up)
    ), cohort_weeks AS (
        SELECT DISTINCT c.week, (date_trunc('week', CAST(u.day AS timestamp))::date - c.week) / 7 AS k, u.user_id
          FROM cohorts c JOIN user_days u ON u.user_id = c.user_id AND u.day >= c.week
    )
    SELECT json_build_object(
        'daily', (SELECT coalesce(json_agg(json_build_array(day, n)), '[]') FROM (
                  SELECT day, count(*) AS n FROM user_days WHERE day >= :first GROUP BY day) AS d),
        'users', (SELECT json_build_object(
                  'in_range', count(*) FILTER (WHERE in_range),
                  'wau', count(*) FILTER (WHERE last_day >= :wau_first),
                  'mau', count(*) FILTER (WHERE last_day >= :mau_first),
                  'workouts', coalesce(sum(workouts), 0), 'workout_users', count(*) FILTER (WHERE workouts > 0),
                  'food_logs', coalesce(sum(food), 0), 'food_users', count(*) FILTER (WHERE food > 0),
                  'food_user_days', coalesce(sum(food_days), 0)) FROM users),
        'cohorts', (SELECT coalesce(json_agg(json_build_array(week, k, n)), '[]') FROM (
                    SELECT week, k, count(*) AS n FROM cohort_weeks GROUP BY week, k) AS r))
    """  # noqa: S608 - table names come only from ACTIVITY_TABLES


SUMMARY = text(_summary_statement()).bindparams(
    bindparam("cohort_ids", type_=ARRAY(UuidType())), bindparam("cohort_days", type_=ARRAY(Date())),
    bindparam("scan_start", type_=PARAM_TYPES["start"]), bindparam("end", type_=PARAM_TYPES["end"]),
    *(bindparam(name, type_=Date()) for name in ("first", "wau_first", "mau_first")))


class ActivityRepository:
    """Counts over core's tables for every user (the business-metrics session is not bound to a user)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def summary(self, first: date, last: date, cohorts: Sequence[tuple[uuid.UUID, date]]) -> ActivitySummary:
        """Every activity figure of the range; `cohorts` are (user, UTC day of sign-up) of the range's sign-ups."""
        wau_first, mau_first = last - timedelta(days=6), last - timedelta(days=29)
        end = _start(last + timedelta(days=1))
        if self.session.get_bind().dialect.name != "postgresql":
            return await self._summary_in_steps(first, last, cohorts)
        # Read from the earliest day any figure needs: the range, the 30 days of MAU, the first cohort's Monday.
        scan_start = _start(min(week_start(first), mau_first))
        raw = await self.session.scalar(SUMMARY, {
            "scan_start": scan_start, "end": end, "first": first, "wau_first": wau_first, "mau_first": mau_first,
            "cohort_ids": [user_id for user_id, _ in cohorts], "cohort_days": [day for _, day in cohorts]})
        figures = json.loads(raw) if isinstance(raw, str) else raw
        users = figures["users"]
        return ActivitySummary(
            daily={date.fromisoformat(day): int(n) for day, n in figures["daily"]},
            in_range=int(users["in_range"]), wau=int(users["wau"]), mau=int(users["mau"]),
            workouts=int(users["workouts"]), workout_users=int(users["workout_users"]),
            food_logs=int(users["food_logs"]), food_users=int(users["food_users"]),
            food_user_days=int(users["food_user_days"]),
            cohort_active={(date.fromisoformat(week), int(k)): int(n) for week, k, n in figures["cohorts"]})

    async def _summary_in_steps(self, first: date, last: date, cohorts: Sequence[tuple[uuid.UUID, date]],
                                ) -> ActivitySummary:
        start, end = _start(first), _start(last + timedelta(days=1))
        workouts, workout_users, _ = await self.kind_totals(start, end, "workouts")
        food_logs, food_users, food_user_days = await self.kind_totals(start, end, "food_logs")
        members: dict[date, set[str]] = defaultdict(set)
        for user_id, signed_up in cohorts:
            members[week_start(signed_up)].add(user_id.hex)
        cohort_active: dict[tuple[date, int], int] = {}
        if members:
            active_weeks: dict[date, set[str]] = defaultdict(set)
            for user_hex, week in await self.active_weeks(_start(min(members)), end):
                active_weeks[week].add(user_hex)
            for cohort_week, users in members.items():
                for week, active in active_weeks.items():
                    if week >= cohort_week and users & active:
                        cohort_active[(cohort_week, (week - cohort_week).days // 7)] = len(users & active)
        return ActivitySummary(
            daily=await self.active_per_day(start, end), in_range=await self.active_users(start, end),
            wau=await self.active_users(_start(last - timedelta(days=6)), end),
            mau=await self.active_users(_start(last - timedelta(days=29)), end),
            workouts=workouts, workout_users=workout_users, food_logs=food_logs, food_users=food_users,
            food_user_days=food_user_days, cohort_active=cohort_active)

    async def active_per_day(self, start: datetime, end: datetime) -> dict[date, int]:
        rows = await self.session.execute(sql(
            f"SELECT {_day(self.session)} AS day, count(DISTINCT user_id) AS users "  # noqa: S608 - no user input
            f"FROM ({_activity()}) a GROUP BY 1"),
            {"start": start, "end": end})
        return {_as_date(r.day): int(r.users) for r in rows}

    async def active_users(self, start: datetime, end: datetime) -> int:
        return int(await self.session.scalar(sql(
            f"SELECT count(DISTINCT user_id) FROM ({_activity()}) a"),  # noqa: S608 - no user input
            {"start": start, "end": end}) or 0)

    async def kind_totals(self, start: datetime, end: datetime, kind: str) -> tuple[int, int, int]:
        """(rows, distinct users, distinct user-days) of one kind of write in the range."""
        row = (await self.session.execute(sql(
            "SELECT count(*) AS n, count(DISTINCT user_id) AS users, "  # noqa: S608 - no user input
            f"count(DISTINCT CAST(user_id AS TEXT) || ':' || CAST({_day(self.session)} AS TEXT)) AS user_days "
            f"FROM ({_activity((kind,))}) a"),
            {"start": start, "end": end})).one()
        return int(row.n), int(row.users), int(row.user_days)

    async def active_weeks(self, start: datetime, end: datetime) -> list[tuple[str, date]]:
        """Distinct (user id, Monday of the UTC week) in which the user was active."""
        rows = await self.session.execute(sql(
            f"SELECT DISTINCT CAST(user_id AS TEXT) AS user_id, {_week(self.session)} AS week "  # noqa: S608
            f"FROM ({_activity()}) a"),
            {"start": start, "end": end})
        return [(str(r.user_id).replace("-", ""), _as_date(r.week)) for r in rows]


class RegistrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_if_missing(self, user_id: uuid.UUID, registered_at: datetime) -> None:
        if await self.session.get(Registration, user_id) is None:
            self.session.add(Registration(user_id=user_id, registered_at=registered_at))

    async def get(self, user_id: uuid.UUID) -> Registration | None:
        return await self.session.get(Registration, user_id)

    async def delete_for_user(self, user_id: uuid.UUID) -> int:
        result = await self.session.execute(delete(Registration).where(Registration.user_id == user_id))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def sign_ups(self, start: datetime, end: datetime) -> list[tuple[uuid.UUID, date]]:
        """(user, UTC day of sign-up) of the accounts registered in [start, end)."""
        if self.session.get_bind().dialect.name == "postgresql":
            # Two arrays in one row: ten thousand sign-ups are one row to convert, not ten thousand.
            ids, days = (await self.session.execute(sql(
                "SELECT array_agg(user_id) AS ids, array_agg((registered_at AT TIME ZONE 'UTC')::date) AS days "
                "FROM analytics.registrations WHERE registered_at >= :start AND registered_at < :end"),
                {"start": start, "end": end})).one()
            return list(zip(ids or [], days or [], strict=True))
        rows = await self.session.execute(select(Registration.user_id, Registration.registered_at).where(
            Registration.registered_at >= start, Registration.registered_at < end))
        return [(user_id, registered_at.astimezone(UTC).date()) for user_id, registered_at in rows]

    async def count_between(self, start: datetime, end: datetime) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.registered_at >= start, Registration.registered_at < end)) or 0)
