"""SQL of the seeder: catalogue look-ups and bulk inserts of a user's history."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_core.body_metrics.models import BodyMetric
from fitjourney_core.db import OutboxMessage
from fitjourney_core.food_logs.models import FoodLog
from fitjourney_core.foods.models import CatalogueEntry
from fitjourney_core.habits.models import Habit, HabitCheckIn
from fitjourney_core.journal.models import JournalEntry
from fitjourney_core.profile.models import Profile
from fitjourney_core.workouts.models import Workout
from fitjourney_core.writes.models import Change, RecordId
from fitjourney_core.writes.repository import lock_user_changes

# Insert order: a habit before its check-ins.
TABLES: dict[str, type[Any]] = {
    "habits": Habit, "habit_check_ins": HabitCheckIn, "workouts": Workout, "food_logs": FoodLog,
    "body_metrics": BodyMetric, "journal_entries": JournalEntry,
}
# Rows per INSERT statement: large enough to be fast, small enough for SQLite's variable limit.
BATCH_ROWS = 500
# Partitioned by time: their ids are also registered in `record_ids`, as the write path does.
PARTITIONED = ("habit_check_ins", "food_logs", "body_metrics")


async def catalogue_food(session: AsyncSession, names: Sequence[str], prefix: str) -> CatalogueEntry | None:
    """The catalogue food with the first of `names` that exists, else the shortest name starting with `prefix`."""
    lname = func.lower(CatalogueEntry.name)
    wanted = [name.lower() for name in names]
    rows = (await session.scalars(select(CatalogueEntry).where(lname.in_(wanted)))).all()
    by_name = {row.name.lower(): row for row in rows}
    for name in wanted:
        if name in by_name:
            return by_name[name]
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (select(CatalogueEntry).where(lname.like(f"{escaped}%", escape="\\"))
             .order_by(func.length(CatalogueEntry.name), CatalogueEntry.name).limit(1))
    return (await session.scalars(query)).first()


async def has_history(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Whether the user already logged food or workouts (a seeder never writes over a real diary)."""
    logged = select(FoodLog.id).where(FoodLog.user_id == user_id)
    trained = select(Workout.id).where(Workout.user_id == user_id)
    return bool(await session.scalar(select(exists(logged) | exists(trained))))


async def get_profile(session: AsyncSession, user_id: uuid.UUID) -> Profile | None:
    return await session.get(Profile, user_id)


async def write_profile(session: AsyncSession, values: dict[str, Any], current: Profile | None) -> dict[str, Any]:
    """Insert the profile, or fill in the existing `current` one (the name it registered with is kept);
    returns the profile's values as written."""
    if current is None:
        await session.execute(insert(Profile), [values])
        return values
    changes = {k: v for k, v in values.items() if k not in ("user_id", "created_at", "version")}
    if current.display_name:
        changes["display_name"] = current.display_name
    changes["version"] = current.version + 1
    await session.execute(update(Profile).where(Profile.user_id == values["user_id"]).values(**changes))
    return {**values, **changes, "created_at": current.created_at}


async def insert_rows(session: AsyncSession, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """A table's rows, and for a partitioned table their ids in `record_ids` first."""
    if table in PARTITIONED and rows:
        await bulk_insert(session, RecordId, [{"id": row["id"], "table_name": table} for row in rows])
    await bulk_insert(session, TABLES[table], rows)


async def bulk_insert(session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Many rows of one shape, in the session's transaction. On PostgreSQL one prepared INSERT sent for every
    row in a pipeline by asyncpg (`executemany`), so the bound user's row-level security applies (PostgreSQL
    refuses COPY FROM under it); a role outside row-level security loads with COPY."""
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), BATCH_ROWS):
            await session.execute(insert(model), list(rows[start:start + BATCH_ROWS]))
        return
    table = model.__table__
    # Columns the rows leave out get their Python-side default, as SQLAlchemy's insert would give them.
    defaults = {column.key: column.default.arg for column in table.columns
                if column.key not in rows[0] and column.default is not None and column.default.is_scalar}
    defaults |= {column.key: column.default.arg(None) for column in table.columns
                 if column.key not in rows[0] and column.default is not None and column.default.is_callable}
    columns = [column for column in table.columns if column.key in rows[0] or column.key in defaults]
    as_json = {column.key for column in columns if isinstance(column.type, JSON)}
    names = ", ".join(f'"{column.name}"' for column in columns)
    places = ", ".join(f"${number}" for number in range(1, len(columns) + 1))
    keys = [column.key for column in columns]

    def value(row: dict[str, Any], key: str) -> Any:
        found = row.get(key, defaults.get(key))
        return json.dumps(found) if key in as_json and found is not None else found

    records = [tuple(value(row, key) for key in keys) for row in rows]
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    if await driver.fetchval("select rolbypassrls or rolsuper from pg_roles where rolname = current_user"):
        # A bulk loader outside row-level security (the benchmark's own cluster, as pg_restore would be):
        # COPY, several times faster again. Every row names its owner either way.
        await driver.copy_records_to_table(table.name, records=records, columns=[c.name for c in columns],
                                           schema_name=table.schema)
        return
    # Names from the model's own table, values as parameters.
    statement = f'INSERT INTO "{table.schema}"."{table.name}" ({names}) VALUES ({places})'  # noqa: S608
    await driver.executemany(statement, records)


async def insert_changes(
    session: AsyncSession, user_id: uuid.UUID, changes: Sequence[tuple[datetime, str, uuid.UUID, dict[str, Any], int]],
) -> None:
    """The sync feed's rows, in the order given (the feed's sequence follows insertion)."""
    await lock_user_changes(session, user_id)
    rows = [{"user_id": user_id, "resource": resource, "resource_id": resource_id, "op": "upsert",
             "version": version, "changed_at": at, "payload": payload}
            for at, resource, resource_id, payload, version in changes]
    await bulk_insert(session, Change, rows)


async def insert_outbox(session: AsyncSession, envelopes: Sequence[EventEnvelope]) -> None:
    """Events in the outbox in bulk, as `add_event` writes them one by one; the relay finds them on its next poll."""
    rows = [{"id": envelope.id, "type": envelope.type, "payload": envelope.model_dump(mode="json"),
             "user_id": envelope.user_id, "occurred_at": envelope.occurred_at, "attempts": 0,
             "trace_headers": dict(envelope.trace_headers) or None} for envelope in envelopes]
    await bulk_insert(session, OutboxMessage, rows)
