"""Idempotent consumers: each (event id, consumer) is processed once, in the handler's own transaction."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, Uuid, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import UtcDateTime, utcnow
from fitjourney_common.db.engine import RlsConnection, bind_user
from fitjourney_common.db.session import discard_after_commit_callbacks, run_after_commit_callbacks
from fitjourney_common.events.envelope import EventEnvelope

log = logging.getLogger(__name__)

SessionHandler = Callable[[AsyncSession, EventEnvelope], Awaitable[None]]


class ProcessedEventMixin:
    """Columns of a service's inbox table: which consumer already processed which event."""

    __tablename__ = "processed_events"

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, default=utcnow, server_default=func.now(),
    )


@functools.cache
def _claim_statement(table: Table, dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING event_id, built once per table: built per event, it cost
    more CPU than running it."""
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return make_insert(table).on_conflict_do_nothing().returning(table.c.event_id)


async def _claim(session: AsyncSession, model: type[Any], event_id: uuid.UUID, consumer: str) -> bool:
    """Record the event as processed by `consumer`; False when it already was.

    On PostgreSQL a concurrent duplicate waits on the first transaction's row lock, then finds the
    row (skip) or, if that transaction rolled back, claims it: never twice, never lost.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        claimed = await _claim_with_begin(session, model.__table__, event_id, consumer)
        if claimed is not None:
            return claimed
    values = {"event_id": event_id, "consumer": consumer, "processed_at": utcnow()}
    if dialect in ("postgresql", "sqlite"):
        statement = _claim_statement(model.__table__, dialect)
        return (await session.execute(statement, values)).scalar_one_or_none() is not None
    try:
        async with session.begin_nested():
            await session.execute(insert(model).values(**values))
    except IntegrityError:
        return False
    return True


async def _claim_with_begin(session: AsyncSession, table: Table, event_id: uuid.UUID, consumer: str) -> bool | None:
    """The claim sent with the transaction's BEGIN (and the RLS user): one round trip where BEGIN and the claim
    took two. The same `INSERT … ON CONFLICT DO NOTHING`, its outcome read from the command status (`INSERT 0 1`
    claimed, `INSERT 0 0` already processed). None when the connection cannot (not an `RlsConnection`, a
    transaction already open): the caller claims by statement."""
    connection = await session.connection()  # the transaction begins here; BEGIN goes with the first statement
    raw = await connection.get_raw_connection()
    driver, adapter = raw.driver_connection, raw.dbapi_connection
    # SQLAlchemy's asyncpg adapter sends BEGIN lazily, before the first statement; this sends it now.
    start = getattr(adapter, "_start_transaction", None)
    if not isinstance(driver, RlsConnection) or start is None or driver.is_in_transaction() \
            or getattr(adapter, "_transaction", True) is not None:
        return None
    name = connection.dialect.identifier_preparer.format_table(table)
    consumer_literal = consumer.replace("'", "''")
    driver.sql_after_next_begin = (
        f"INSERT INTO {name} (event_id, consumer, processed_at) "  # noqa: S608 - a UUID and an escaped literal
        f"VALUES ('{uuid.UUID(str(event_id))}', '{consumer_literal}', clock_timestamp()) ON CONFLICT DO NOTHING;")
    try:
        await start()
    except BaseException:
        # Called outside SQLAlchemy's execution, whose error handling would invalidate the connection (it does
        # for a cancellation too): asyncpg keeps a BEGIN that failed or was cancelled as the connection's
        # transaction, and would send the next borrower's BEGIN as a SAVEPOINT inside whatever the server holds.
        await connection.invalidate()
        raise
    status = driver.status_of_begin
    if status is None or not status.startswith("INSERT 0 "):
        raise RuntimeError(f"the inbox claim did not run with BEGIN (status {status!r})")
    return status == "INSERT 0 1"


def idempotent(
    session_factory: async_sessionmaker[AsyncSession],
    processed_model: type[ProcessedEventMixin],
    consumer: str,
    handler: SessionHandler,
    *,
    scope_to_user: bool = True,
) -> Callable[[EventEnvelope], Awaitable[None]]:
    """Wrap `handler(session, envelope)` into a bus handler that runs at most once per event.

    The processed-id row and the handler's writes commit together, then the handler's
    `call_after_commit` callbacks run; if the handler raises, both roll
    back and the exception reaches the bus, which retries. With `scope_to_user`, the session is bound
    to the event's user, so PostgreSQL row-level security applies to what the handler touches.
    """

    async def handle(envelope: EventEnvelope) -> None:
        async with session_factory() as session:
            if scope_to_user and envelope.user_id is not None:
                await bind_user(session, envelope.user_id)
            try:
                async with session.begin():
                    if not await _claim(session, processed_model, envelope.id, consumer):
                        log.debug("event %s (%s) already processed by %s, skipped",
                                  envelope.id, envelope.type, consumer)
                        return
                    await handler(session, envelope)
            except BaseException:
                discard_after_commit_callbacks(session)
                raise
            await run_after_commit_callbacks(session)

    handle.__name__ = f"idempotent_{consumer}"
    return handle
