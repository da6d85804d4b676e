"""SQL of the business metrics: activity across every user in core (read-only role), sign-ups in analytics.

"Active" on a day means the user wrote something to core that day (UTC): a food log, a workout, a
body metric, a habit check-in or a journal entry. Rows deleted later still count: the visit happened.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.coredata.repository import sql
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


class ActivityRepository:
    """Counts over core's tables for every user (the business-metrics session is not bound to a user)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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

    async def registered_between(self, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
        rows = await self.session.execute(select(Registration.user_id, Registration.registered_at).where(
            Registration.registered_at >= start, Registration.registered_at < end))
        return [(r.user_id.hex, r.registered_at) for r in rows]

    async def count_between(self, start: datetime, end: datetime) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.registered_at >= start, Registration.registered_at < end)) or 0)
