"""SQL of the write path: the changes feed, and reading or inserting one user-owned record of any table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import insert, select, text
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
                              {"key": f"core.changes:{user_id}"})


def add_change(session: AsyncSession, **values: Any) -> Change:
    change = Change(**values)
    session.add(change)
    return change


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
