"""SQL of the write path: the changes feed, and reading or inserting one user-owned record of any table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_core.writes.models import Change, RecordId

ModelT = TypeVar("ModelT")


async def lock_user_changes(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Serialise one user's change-writing transactions until commit (PostgreSQL only).

    A sequence hands out numbers in call order, not commit order: without this, a reader could see
    seq 8 committed while seq 7 is still in flight, move its cursor past 7 and never see it.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                              {"key": _changes_lock_key(user_id)})


def _changes_lock_key(user_id: uuid.UUID) -> str:
    return f"core.changes:{user_id}"


def add_change(session: AsyncSession, **values: Any) -> Change:
    change = Change(**values)
    session.add(change)
    return change


def _row_of(model: type[Any], values: dict[str, Any]) -> Any:
    """`SELECT <values>` typed as `model`'s columns (so JSON, UUID and time values bind as the ORM binds them)."""
    columns = model.__table__.c
    return select(*(literal(value, columns[name].type).label(name) for name, value in values.items()))


async def record_change_and_event(
    session: AsyncSession, change: dict[str, Any], outbox_model: type[Any], event: dict[str, Any],
) -> None:
    """Append a change to the user's sync feed and its event to the outbox, under the user's change lock
    (`lock_user_changes`), in the caller's transaction.

    PostgreSQL: one statement instead of three round trips; the change reads from the lock and the event
    from the change, so the lock is held before the change draws its `seq`. Elsewhere (SQLite, one writer
    at a time) the ORM adds both rows.
    """
    if session.get_bind().dialect.name != "postgresql":
        session.add(Change(**change))
        session.add(outbox_model(**event))
        return
    user_id: uuid.UUID = change["user_id"]
    locked = select(func.pg_advisory_xact_lock(func.hashtextextended(_changes_lock_key(user_id), 0))
                    .label("locked")).cte("locked")
    new_change = (
        insert(Change)
        .from_select(list(change), _row_of(Change, change).select_from(locked))
        .returning(Change.seq)
        .cte("new_change")
    )
    await session.execute(
        insert(outbox_model).from_select(list(event), _row_of(outbox_model, event).select_from(new_change)))


async def changes_since(session: AsyncSession, user_id: uuid.UUID, since: int, limit: int) -> Sequence[Change]:
    query = (
        select(Change)
        .where(Change.user_id == user_id, Change.seq > since)
        .order_by(Change.seq)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def find_owned(
    session: AsyncSession, model: type[ModelT], record_id: uuid.UUID, user_id: uuid.UUID, *,
    include_deleted: bool = False,
) -> ModelT | None:
    """The user's record of `model` with this id (live only, unless `include_deleted`)."""
    query = select(model).where(
        model.id == record_id,  # type: ignore[attr-defined]
        model.user_id == user_id,  # type: ignore[attr-defined]
    )
    if not include_deleted:
        query = query.where(model.deleted_at.is_(None))  # type: ignore[attr-defined]
    return (await session.scalars(query)).first()


async def insert_now(session: AsyncSession, record: Any) -> None:
    """Insert `record` at once (an id already taken raises IntegrityError here, not at commit)."""
    table = record.__table__
    if table.dialect_options["postgresql"].get("partition_by"):
        # Its own table is unique only per (id, time): the registry makes the id unique everywhere.
        await session.execute(insert(RecordId).values(id=record.id, table_name=table.name))
    session.add(record)
    await session.flush()


async def all_rows_of_user(session: AsyncSession, model: type[Any], user_id: uuid.UUID) -> Sequence[Any]:
    """Every row of `model` the user owns, deleted ones (tombstones) included, oldest first."""
    order = (model.created_at, *model.__table__.primary_key.columns)
    query = select(model).where(model.user_id == user_id).order_by(*order)
    return (await session.scalars(query)).all()
