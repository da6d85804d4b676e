"""SQL over core's tables, read-only: per-local-day aggregates of one user, and profile facts.

Analytics never imports core's package: these statements name core's tables and columns, and a test
runs them against core's real migrations. On PostgreSQL the local day is computed in SQL
(`AT TIME ZONE`, which follows the zone's DST rules per row); SQLite (dev) has no time zones, so there
the rows of the window are fetched and bucketed by the same rules in pandas.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Date, Result, String, TextClause, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.compute.calendar import Window
from fitjourney_analytics.compute.habits import CheckIns
from fitjourney_analytics.compute.series import local_day_sums
from fitjourney_common.db.base import UtcDateTime
from fitjourney_common.fitness.local_time import local_date


@dataclass(frozen=True)
class ProfileFacts:
    time_zone: str
    birth_date: date | None
    sex: str | None
    height_cm: float | None
    activity_level: str
    goal: str
    weekly_rate_kg: float | None


@dataclass(frozen=True)
class HabitRow:
    id: uuid.UUID
    name: str
    schedule: str
    target_count: int
    created_at: datetime


# Typed parameters: SQLite stores UUIDs as hex and timestamps as UTC text; the types convert like the ORM does.
PARAM_TYPES: dict[str, Any] = {"user_id": Uuid(), "start": UtcDateTime(), "end": UtcDateTime(), "before": UtcDateTime(),
               "first": Date(), "last": Date(), "tz": String(), "streaks_from": Date()}


# A workout's energy out counts its estimated calories only (a pending estimate adds 0).
ESTIMATED_KCAL = "CASE WHEN calories_status = 'estimated' THEN coalesce(calories_burned, 0) ELSE 0 END"
_LAST = "ORDER BY measured_at DESC, created_at DESC, id DESC"
# Per kind of data, its rows per local day on PostgreSQL (the local day computed in SQL, by the zone's rules
# for each row): food kcal_in, protein_g, carbs_g, fat_g, food_logs (count); workouts per day and activity:
# workouts, workout_minutes, kcal_out; body the day's last weight_kg and last body_fat_pct (each of the
# measurements that have one); journal mood and energy (keyed by the user's date already).
PG_DAYS: dict[str, str] = {
    "food": "SELECT (eaten_at AT TIME ZONE :tz)::date AS day, sum(kcal) AS kcal_in, sum(protein_g) AS protein_g, "
            "sum(carbs_g) AS carbs_g, sum(fat_g) AS fat_g, count(*) AS food_logs FROM core.food_logs "
            "WHERE user_id = :user_id AND deleted_at IS NULL AND eaten_at >= :start AND eaten_at < :end GROUP BY 1",
    "workouts": "SELECT (started_at AT TIME ZONE :tz)::date AS day, activity, count(*) AS workouts, "  # noqa: S608
                f"sum(duration_min) AS workout_minutes, sum({ESTIMATED_KCAL}) AS kcal_out FROM core.workouts "
                "WHERE user_id = :user_id AND deleted_at IS NULL AND started_at >= :start AND started_at < :end "
                "GROUP BY 1, 2",
    "body": f"SELECT (measured_at AT TIME ZONE :tz)::date AS day, "  # noqa: S608
            f"(array_agg(weight_kg {_LAST}) FILTER (WHERE weight_kg IS NOT NULL))[1] AS weight_kg, "
            f"(array_agg(body_fat_pct {_LAST}) FILTER (WHERE body_fat_pct IS NOT NULL))[1] AS body_fat_pct "
            "FROM core.body_metrics WHERE user_id = :user_id AND deleted_at IS NULL AND measured_at >= :start "
            "AND measured_at < :end AND (weight_kg IS NOT NULL OR body_fat_pct IS NOT NULL) GROUP BY 1",
    "journal": "SELECT date AS day, mood, energy FROM core.journal_entries WHERE user_id = :user_id "
               "AND deleted_at IS NULL AND date >= :first AND date <= :last",
}


# What a dashboard reads beside the days, as parts of the same statement on PostgreSQL: the live habits (a JSON
# array, oldest first), the check-ins from `streaks_from` to the window's last day as one JSON object per habit
# (its dates and counts as two arrays: a year of three daily habits is 3 objects, not 1,100 rows or elements to
# convert one by one; the dates as their ordinals, `date.toordinal()`, which numpy takes as they are) and the latest
# weight before the window's end.
PG_HABITS = ("(SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'schedule', schedule, "
             "'target_count', target_count, 'created_at', created_at) ORDER BY created_at, id), '[]') "
             "FROM core.habits WHERE user_id = :user_id AND deleted_at IS NULL) AS habits")
PG_CHECK_INS = ("(SELECT coalesce(json_agg(json_build_object('habit_id', habit_id, 'days', days, 'counts', counts)), "
                "'[]') FROM (SELECT habit_id, array_agg(date - DATE '0001-01-01' + 1) AS days, "
                "array_agg(count) AS counts "
                "FROM core.habit_check_ins WHERE user_id = :user_id AND deleted_at IS NULL "
                "AND date >= :streaks_from AND date <= :last GROUP BY habit_id) AS per_habit) AS check_ins")
# The latest weight and the latest body fat before the window's end, each from its own latest reading (as core's
# targets take them: body fat makes protein count per kg of lean mass).
LATEST_BODY_COLUMNS = {"latest_weight": "weight_kg", "latest_body_fat": "body_fat_pct"}
PG_LATEST_BODY = [f"(SELECT {column} FROM core.body_metrics WHERE user_id = :user_id AND deleted_at IS NULL "  # noqa: S608
                  f"AND {column} IS NOT NULL AND measured_at < :end ORDER BY measured_at DESC LIMIT 1) AS {name}"
                  for name, column in LATEST_BODY_COLUMNS.items()]


@dataclass
class WindowData:
    """A window's days per kind (`CoreReadRepository.window_data`), and for a dashboard the habits, their
    check-ins (per habit) and the latest weight and body fat before the window's end; the profile
    when asked for."""

    days: dict[str, list[dict[str, Any]]]
    habits: list[HabitRow]
    check_ins: dict[uuid.UUID, CheckIns]
    latest_weight: float | None
    latest_body_fat: float | None = None
    profile: ProfileFacts | None = None  # when asked for (`profile=True`)


@functools.cache
def sql(statement: str) -> TextClause:
    """`text(statement)` with the types of the parameters it names; built once per statement (a clause is
    immutable, and reusing it spares SQLAlchemy its parse and cache key on every request)."""
    clause = text(statement)
    names = [name for name in PARAM_TYPES if f":{name}" in statement]
    return clause.bindparams(*(bindparam(name, type_=PARAM_TYPES[name]) for name in names))


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _params(user_id: uuid.UUID, window: Window) -> dict[str, Any]:
    return {"user_id": user_id, "start": window.utc_start, "end": window.utc_end, "tz": str(window.zone)}


def _dicts(result: Result[Any]) -> list[dict[str, Any]]:
    """Rows as dicts, the column names looked up once (`row._mapping` per row costs more than the query)."""
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _aware(value: Any) -> datetime:
    """SQLite hands timestamps back as naive UTC (or text); PostgreSQL as aware datetimes."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    """SQLAlchemy's asyncpg dialect decodes json itself; a driver that does not hands over the text."""
    return json.loads(value) if isinstance(value, str) else value


PROFILE_COLUMNS = ("time_zone", "birth_date", "sex", "height_cm", "activity_level", "goal", "weekly_rate_kg")


def _profile_facts(row: Any) -> ProfileFacts:
    birth = date.fromisoformat(row.birth_date) if isinstance(row.birth_date, str) else row.birth_date
    return ProfileFacts(row.time_zone, birth, row.sex, row.height_cm, row.activity_level, row.goal, row.weekly_rate_kg)


@functools.cache
def _window_statement(kinds: tuple[str, ...], habits: bool, body: bool, profile: bool) -> TextClause:
    """One statement for `CoreReadRepository.window_data` on PostgreSQL, built once per shape. With `profile`
    the profile's columns come beside (a LEFT JOIN, typed as the profile's own query; `profile_user` is null
    when there is none)."""
    columns = [f"(SELECT coalesce(json_agg(days), '[]') FROM ({PG_DAYS[kind]}) AS days) AS {kind}"  # noqa: S608
               for kind in kinds]
    if habits:
        columns += [PG_HABITS, PG_CHECK_INS]
    if body:
        columns += PG_LATEST_BODY
    if not profile:
        return sql(f"SELECT {', '.join(columns)}")
    columns += ["profile.user_id AS profile_user", *(f"profile.{name}" for name in PROFILE_COLUMNS)]
    return sql(f"SELECT {', '.join(columns)} FROM (SELECT 1) AS one "  # noqa: S608
               "LEFT JOIN core.profiles AS profile ON profile.user_id = :user_id")


class CoreReadRepository:
    """One user's data in core, as analytics needs it (every query filters by owner and live rows)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def profile(self, user_id: uuid.UUID) -> ProfileFacts | None:
        row = (await self.session.execute(sql(
            "SELECT time_zone, birth_date, sex, height_cm, activity_level, goal, weekly_rate_kg "
            "FROM core.profiles WHERE user_id = :user_id"), {"user_id": user_id})).first()
        return None if row is None else _profile_facts(row)

    async def latest_body(self, user_id: uuid.UUID, before: datetime) -> dict[str, float | None]:
        """`LATEST_BODY_COLUMNS`' values before `before`, each from its own latest reading."""
        latest: dict[str, float | None] = {}
        for name, column in LATEST_BODY_COLUMNS.items():
            value = await self.session.scalar(sql(
                f"SELECT {column} FROM core.body_metrics WHERE user_id = :user_id AND deleted_at IS NULL "  # noqa: S608
                f"AND {column} IS NOT NULL AND measured_at < :before ORDER BY measured_at DESC LIMIT 1"),
                {"user_id": user_id, "before": before})
            latest[name] = None if value is None else float(value)
        return latest

    async def window_data(self, user_id: uuid.UUID, window: Window, kinds: Collection[str], streaks_from: date,
                          *, profile: bool = False) -> WindowData:
        """Per kind of data asked for ("food", "workouts", "body", "journal"), its rows per local day of the
        window, as `PG_DAYS` describes them; with "habits" the habits and their check-ins from `streaks_from`,
        with "body" the latest weight and body fat before the window's end. On PostgreSQL one statement answers
        all (each kind's days as a JSON array): one round trip, not one per kind and part. SQLite: query by query.
        With `profile` the profile too (in the same statement on PostgreSQL)."""
        asked = [kind for kind in PG_DAYS if kind in kinds]
        if not _is_postgres(self.session):
            readers = {"food": self._food_days, "workouts": self._workout_days, "body": self._body_days,
                       "journal": self._journal_days}
            facts = await self.profile(user_id) if profile else None
            live = await self.habits(user_id) if "habits" in kinds else []
            latest = await self.latest_body(user_id, window.utc_end) if "body" in kinds else {}
            return WindowData(
                days={kind: await readers[kind](user_id, window) for kind in asked}, habits=live,
                check_ins={habit_id: CheckIns.of(counts) for habit_id, counts in
                           (await self.check_ins(user_id, streaks_from, window.last)).items()} if live else {},
                latest_weight=latest.get("latest_weight"), latest_body_fat=latest.get("latest_body_fat"),
                profile=facts)
        if not asked and "habits" not in kinds and not profile:
            return WindowData(days={}, habits=[], check_ins={}, latest_weight=None)
        result = (await self.session.execute(_window_statement(tuple(asked), "habits" in kinds, "body" in kinds,
                                                               profile), {
            **_params(user_id, window), "first": window.first, "last": window.last, "streaks_from": streaks_from,
        })).one()
        row = result._mapping
        days = {kind: [{**item, "day": date.fromisoformat(item["day"])} for item in _json(row[kind])]
                for kind in asked}
        habits: list[HabitRow] = []
        check_ins: dict[uuid.UUID, CheckIns] = {}
        if "habits" in kinds:
            habits = [HabitRow(uuid.UUID(item["id"]), item["name"], item["schedule"], int(item["target_count"]),
                               datetime.fromisoformat(item["created_at"])) for item in _json(row["habits"])]
            check_ins = {uuid.UUID(item["habit_id"]): CheckIns(np.array(item["days"], dtype=np.int64),
                                                                np.array(item["counts"], dtype=np.int64))
                         for item in _json(row["check_ins"])}
        latest = {name: None if row[name] is None else float(row[name])
                  for name in LATEST_BODY_COLUMNS} if "body" in kinds else {}
        return WindowData(days=days, habits=habits, check_ins=check_ins,
                          latest_weight=latest.get("latest_weight"), latest_body_fat=latest.get("latest_body_fat"),
                          profile=_profile_facts(result) if profile and row["profile_user"] is not None else None)

    async def _food_days(self, user_id: uuid.UUID, window: Window) -> list[dict[str, Any]]:
        where = ("FROM core.food_logs WHERE user_id = :user_id AND deleted_at IS NULL "
                 "AND eaten_at >= :start AND eaten_at < :end")
        rows = (await self.session.execute(sql(f"SELECT eaten_at, kcal, protein_g, carbs_g, fat_g {where}"),
                                           _params(user_id, window))).all()
        sums = local_day_sums([_aware(r.eaten_at) for r in rows], {
            "kcal_in": [r.kcal for r in rows], "protein_g": [r.protein_g for r in rows],
            "carbs_g": [r.carbs_g for r in rows], "fat_g": [r.fat_g for r in rows]}, window.zone)
        return [{"day": day, **values, "food_logs": values.pop("n")} for day, values in sums.items()]

    async def _workout_days(self, user_id: uuid.UUID, window: Window) -> list[dict[str, Any]]:
        where = ("FROM core.workouts WHERE user_id = :user_id AND deleted_at IS NULL "
                 "AND started_at >= :start AND started_at < :end")
        rows = (await self.session.execute(sql(
            f"SELECT started_at, activity, duration_min, {ESTIMATED_KCAL} AS kcal {where}"),
            _params(user_id, window))).all()
        groups: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        for row in rows:
            totals = groups[(local_date(_aware(row.started_at), window.zone), row.activity)]
            totals[0] += 1
            totals[1] += float(row.duration_min)
            totals[2] += float(row.kcal)
        return [{"day": day, "activity": activity, "workouts": n, "workout_minutes": minutes, "kcal_out": kcal_out}
                for (day, activity), (n, minutes, kcal_out) in groups.items()]

    async def _body_days(self, user_id: uuid.UUID, window: Window) -> list[dict[str, Any]]:
        where = ("FROM core.body_metrics WHERE user_id = :user_id AND deleted_at IS NULL "
                 "AND measured_at >= :start AND measured_at < :end")
        rows = (await self.session.execute(sql(
            f"SELECT measured_at, weight_kg, body_fat_pct {where} "
            "AND (weight_kg IS NOT NULL OR body_fat_pct IS NOT NULL) ORDER BY measured_at, created_at, id"),
            _params(user_id, window))).all()
        days: dict[date, dict[str, Any]] = {}
        for row in rows:  # oldest first: the last measurement of a local day is that day's value
            values = days.setdefault(local_date(_aware(row.measured_at), window.zone),
                                     {"weight_kg": None, "body_fat_pct": None})
            if row.weight_kg is not None:
                values["weight_kg"] = row.weight_kg
            if row.body_fat_pct is not None:
                values["body_fat_pct"] = row.body_fat_pct
        return [{"day": day, **values} for day, values in days.items()]

    async def habits(self, user_id: uuid.UUID) -> list[HabitRow]:
        rows = (await self.session.execute(sql(
            "SELECT id, name, schedule, target_count, created_at FROM core.habits "
            "WHERE user_id = :user_id AND deleted_at IS NULL ORDER BY created_at, id"), {"user_id": user_id})).all()
        return [HabitRow(uuid.UUID(str(r.id)), r.name, r.schedule, int(r.target_count), _aware(r.created_at))
                for r in rows]

    async def check_ins(self, user_id: uuid.UUID, first: date, last: date) -> dict[uuid.UUID, dict[date, int]]:
        """Per habit: local date -> count of its live check-ins between two local dates (both included); SQLite
        (PostgreSQL reads them with the days: `window_data`)."""
        out: dict[uuid.UUID, dict[date, int]] = {}
        for habit_id, day, count in await self.session.execute(sql(
                "SELECT habit_id, date, count FROM core.habit_check_ins WHERE user_id = :user_id "
                "AND deleted_at IS NULL AND date >= :first AND date <= :last"),
                {"user_id": user_id, "first": first, "last": last}):
            out.setdefault(uuid.UUID(str(habit_id)), {})[
                day if isinstance(day, date) else date.fromisoformat(day)] = int(count)
        return out

    async def _journal_days(self, user_id: uuid.UUID, window: Window) -> list[dict[str, Any]]:
        rows = await self.session.execute(sql(
            "SELECT date, mood, energy FROM core.journal_entries WHERE user_id = :user_id "
            "AND deleted_at IS NULL AND date >= :first AND date <= :last"),
            {"user_id": user_id, "first": window.first, "last": window.last})
        return [{"day": day if isinstance(day, date) else date.fromisoformat(day), "mood": mood, "energy": energy}
                for day, mood, energy in rows]
