"""SQL of the write path: the changes feed, and reading or inserting one user-owned record of any table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import Executable, Select, String, Table, bindparam, func, insert, literal, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from fitjourney_core.writes.models import Change, RecordId

ModelT = TypeVar("ModelT")
_RECORD_IDS = cast(Table, RecordId.__table__)
_CHANGES = cast(Table, Change.__table__)


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


def _bound_row(table: Table, names: tuple[str, ...], prefix: str) -> Select[Any]:
    """`SELECT :<prefix><name>, …` typed as `table`'s columns (so JSON, UUID and time values bind as the ORM
    binds them)."""
    columns = table.c
    return select(*(bindparam(prefix + name, type_=columns[name].type).label(name) for name in names))


@lru_cache(maxsize=64)
def _change_and_event_statement(outbox: Table, change_names: tuple[str, ...],
                                event_names: tuple[str, ...]) -> Executable:
    """Built once per outbox and shape: building it per write cost more CPU than running it."""
    locked = select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("lock_key", type_=String), 0))
                    .label("locked")).cte("locked")
    new_change = (
        insert(Change)
        .from_select(list(change_names), _bound_row(_CHANGES, change_names, "change_").select_from(locked))
        .returning(Change.seq)
        .cte("new_change")
    )
    return insert(outbox).from_select(
        list(event_names), _bound_row(outbox, event_names, "event_").select_from(new_change))


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
    statement = _change_and_event_statement(outbox_model.__table__, tuple(change), tuple(event))
    await session.execute(statement, {
        "lock_key": _changes_lock_key(change["user_id"]),
        **{f"change_{name}": value for name, value in change.items()},
        **{f"event_{name}": value for name, value in event.items()},
    })


async def changes_since(session: AsyncSession, user_id: uuid.UUID, since: int, limit: int) -> Sequence[Change]:
    query = (
        select(Change)
        .where(Change.user_id == user_id, Change.seq > since)
        .order_by(Change.seq)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


@lru_cache(maxsize=64)
def _find_owned_statement(model: type[Any], include_deleted: bool) -> Select[Any]:
    """Built once per table and variant, the id and user bound: building it cost about as much as running it."""
    query = select(model).where(
        model.id == bindparam("record_id", type_=model.id.type),
        model.user_id == bindparam("user_id", type_=model.user_id.type),
    )
    return query if include_deleted else query.where(model.deleted_at.is_(None))


async def find_owned(
    session: AsyncSession, model: type[ModelT], record_id: uuid.UUID, user_id: uuid.UUID, *,
    include_deleted: bool = False,
) -> ModelT | None:
    """The user's record of `model` with this id (live only, unless `include_deleted`)."""
    statement = _find_owned_statement(model, include_deleted)  # type: ignore[arg-type]  # a class is hashable
    return (await session.scalars(statement, {"record_id": record_id, "user_id": user_id})).first()  # type: ignore[no-any-return]


async def insert_now(session: AsyncSession, record: Any, *, along: Select[Any] | None = None,
                     along_values: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """Insert `record` at once (an id already taken raises IntegrityError here, not at commit).

    PostgreSQL: one Core-level statement (the ORM's flush cost about a tenth of a create), with the id's
    registration for a partitioned table and `along`, a query the caller needs next, in the same round
    trip (its row is returned, its bind parameters given as `along_values`; else an empty tuple: `along` is
    built once, at import, as the statement around it is kept per `along`); the record
    then joins the session as the persistent object it is.
    Elsewhere (SQLite), or for a record whose table fills a column itself, the ORM inserts it.
    """
    table = record.__table__
    # A partitioned table is unique only per (id, time): the registry makes the id unique everywhere.
    partitioned = bool(table.dialect_options["postgresql"].get("partition_by"))
    values = _column_values(record) if session.get_bind().dialect.name == "postgresql" else None
    if values is None:
        if partitioned:
            await session.execute(insert(RecordId).values(id=record.id, table_name=table.name))
        session.add(record)
        await session.flush()
        return () if along is None else tuple((await session.execute(along, along_values)).one())
    statement = _insert_statement(table, tuple(values), partitioned, along)
    result = await session.execute(
        statement, {**(along_values or {}), **{f"value_{name}": value for name, value in values.items()}})
    make_transient_to_detached(record)
    session.add(record)
    return () if along is None else tuple(result.one())


@lru_cache(maxsize=64)
def _insert_statement(table: Table, names: tuple[str, ...], partitioned: bool, along: Select[Any] | None,
                      ) -> Executable:
    """The insert of one row of `table` (bound as `value_<column>`), for a partitioned table with the
    registration of its id, and `along` (a statement built once, e.g. a prebuilt query) around it; built
    once per table, shape and `along`, not per write."""
    insert_record = table.insert().values(
        {name: bindparam(f"value_{name}", type_=table.c[name].type) for name in names})
    registered = [_RECORD_IDS.insert().values(
        id=bindparam("value_id", type_=_RECORD_IDS.c.id.type), table_name=literal(table.name)).cte("registered")
    ] if partitioned else []
    if along is not None:
        return along.add_cte(insert_record.cte("inserted"), *registered)
    return insert_record.add_cte(*registered)


def _column_values(record: Any) -> dict[str, Any] | None:
    """Every column's value for inserting `record`, Python-side defaults applied to the record too; None
    when a column would take a server-side default (the ORM then reads it back)."""
    values: dict[str, Any] = {}
    for attribute in sa_inspect(type(record)).column_attrs:
        column = attribute.columns[0]
        value = getattr(record, attribute.key)
        if value is None and column.default is not None:
            if column.default.is_scalar:
                value = column.default.arg
            elif column.default.is_callable:
                value = column.default.arg(None)
            else:
                return None
            setattr(record, attribute.key, value)
        elif value is None and (column.server_default is not None or column.computed is not None):
            return None
        elif attribute.key not in record.__dict__:
            setattr(record, attribute.key, value)  # an unset attribute would be expired: loaded again on use
        values[column.key] = value
    return values


async def all_rows_of_user(session: AsyncSession, model: type[Any], user_id: uuid.UUID) -> Sequence[Any]:
    """Every row of `model` the user owns, deleted ones (tombstones) included, oldest first."""
    order = (model.created_at, *model.__table__.primary_key.columns)
    query = select(model).where(model.user_id == user_id).order_by(*order)
    return (await session.scalars(query)).all()
