"""Transactional outbox: events are stored with the change that caused them and relayed to the bus."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
import uuid
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from fitjourney_common.db.base import UtcDateTime
from fitjourney_common.events._telemetry import EVENTS_PUBLISHED, OUTBOX_PENDING
from fitjourney_common.events.bus import EventBus, PublishError
from fitjourney_common.events.envelope import EventEnvelope

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 10.0
PENDING_GAUGE_SECONDS = 15.0
LISTEN_RETRY_FIRST_SECONDS = 0.5
LISTEN_RETRY_MAX_SECONDS = 30.0
# The poll while LISTEN is up: every commit wakes the relay then, so the poll only covers a batch a crashed
# replica left behind; at `poll_seconds` an idle relay ran two empty transactions a second.
LISTENING_POLL_SECONDS = 5.0


def outbox_channel(schema: str | None, table: str) -> str:
    """The PostgreSQL NOTIFY channel a commit that added rows to this outbox table signals on."""
    return f"outbox:{schema}.{table}" if schema else f"outbox:{table}"


def outbox_notify_ddl(schema: str, table: str) -> tuple[list[str], list[str]]:
    """SQL that makes every transaction inserting into the outbox NOTIFY its relays when it commits
    (PostgreSQL delivers a notification only on commit, and none for a rollback), and SQL that undoes it.

    For a service's migration; `OutboxMessageMixin` tables made by `create_all` get the same. One
    notification per statement, and PostgreSQL folds the same one repeated in a transaction."""
    function = f'"{schema}"."{table}_notify"'
    create = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{outbox_channel(schema, table)}', ''); RETURN NULL; END $$",
        f'DROP TRIGGER IF EXISTS "{table}_notify" ON "{schema}"."{table}"',
        f'CREATE TRIGGER "{table}_notify" AFTER INSERT ON "{schema}"."{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]
    drop = [f'DROP TRIGGER IF EXISTS "{table}_notify" ON "{schema}"."{table}"',
            f"DROP FUNCTION IF EXISTS {function}()"]
    return create, drop


class OutboxMessageMixin:
    """Columns of a service's outbox table; mix into the service's declarative base.

    `payload` is the envelope's JSON; `trace_headers` keeps the W3C context of the request that
    wrote the event, so the consumer's span joins that trace although the relay publishes it later.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # the event id
    type: Mapped[str] = mapped_column(String(100), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    trace_headers: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # declarative maps the class here: its table exists afterwards
        table = cls.__dict__.get("__table__")
        if isinstance(table, Table) and table.schema:
            # Tables made by `create_all` (tests) notify their relays as the migrated ones do.
            for statement in outbox_notify_ddl(table.schema, table.name)[0]:
                sa_event.listen(table, "after_create", DDL(statement.replace("%", "%%")).execute_if(
                    dialect="postgresql"))

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        # The relay only ever reads unpublished rows: a partial index stays tiny however long the history.
        return (
            Index(
                f"ix_{cls.__tablename__}_unpublished", "occurred_at",
                postgresql_where=text("published_at IS NULL"), sqlite_where=text("published_at IS NULL"),
            ),
        )


# Relays wake up right after a commit that added events to their table (low latency without busy polling).
_RELAYS: weakref.WeakSet[OutboxRelay] = weakref.WeakSet()
_PENDING_MODELS_KEY = "fitjourney_outbox_models"


def _wake_relays(session: Session) -> None:
    models = session.info.pop(_PENDING_MODELS_KEY, None)
    if not models:
        return
    for relay in list(_RELAYS):
        # A relay that LISTENs hears this commit from PostgreSQL: woken here as well, it often ran again just
        # after the batch that published the event, for nothing (an empty transaction).
        if relay.outbox_model in models and not relay.listening:
            relay.notify()


def _forget_pending(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING_MODELS_KEY, None)


# Listened to once on the class (every session, a dict lookup per commit): listening on each writing session
# instance, as before, cost a consumer's transaction more than the lookup does.
sa_event.listen(Session, "after_commit", _wake_relays)
sa_event.listen(Session, "after_soft_rollback", _forget_pending)


def outbox_row(envelope: EventEnvelope) -> dict[str, Any]:
    """The outbox columns of an event, for a service that inserts the row itself (Core, in one statement
    with its change); it then calls `note_outbox_write` so the relays wake up after the commit."""
    return {
        "id": envelope.id,
        "type": envelope.type,
        "payload": envelope.model_dump(mode="json"),
        "user_id": envelope.user_id,
        "occurred_at": envelope.occurred_at,
        "attempts": 0,
        "trace_headers": dict(envelope.trace_headers) or None,
    }


def note_outbox_write(session: AsyncSession, outbox_model: type[OutboxMessageMixin]) -> None:
    """The caller's transaction wrote to `outbox_model`: wake this process's relays of it once it commits."""
    session.sync_session.info.setdefault(_PENDING_MODELS_KEY, set()).add(outbox_model)


def add_event(session: AsyncSession, outbox_model: type[OutboxMessageMixin], envelope: EventEnvelope) -> None:
    """Add the event to the caller's transaction; it is published only if that transaction commits."""
    # The declarative constructor takes column keywords; the mixin alone does not tell mypy so.
    make_row: Callable[..., OutboxMessageMixin] = outbox_model
    session.add(make_row(**outbox_row(envelope)))
    note_outbox_write(session, outbox_model)


@functools.cache
def _insert_into(table: Table) -> Any:
    return insert(table)


async def insert_event(session: AsyncSession, outbox_model: type[OutboxMessageMixin], envelope: EventEnvelope) -> None:
    """`add_event` as one Core INSERT now, in the caller's transaction: for a consumer's hot path, where the
    ORM's unit of work at flush cost more CPU than the statement."""
    table: Table = outbox_model.__table__  # type: ignore[attr-defined]
    await session.execute(_insert_into(table), outbox_row(envelope))
    note_outbox_write(session, outbox_model)


@functools.cache
def _insert_after(table: Table, change: Any) -> Any:
    """The outbox row's INSERT with `change` as a writable CTE; the row's values bound as `outbox_<column>`."""
    row = insert(table).values({name: bindparam(f"outbox_{name}", type_=column.type)
                                for name, column in table.c.items() if name != "published_at"})
    return row.add_cte(change.cte("change"))


async def insert_event_with(session: AsyncSession, outbox_model: type[OutboxMessageMixin], envelope: EventEnvelope,
                            change: Any, values: dict[str, Any]) -> None:
    """`change` (a prebuilt INSERT or UPDATE … RETURNING whose values are bind parameters, none named `outbox_…`)
    run with `values`, then `insert_event`: on PostgreSQL in one statement, `change` as a writable CTE of the
    outbox row's INSERT (one round trip where a consumer's write and its answer took two); elsewhere two."""
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(change, values)
        await insert_event(session, outbox_model, envelope)
        return
    table: Table = outbox_model.__table__  # type: ignore[attr-defined]
    row = {f"outbox_{name}": value for name, value in outbox_row(envelope).items()}
    await session.execute(_insert_after(table, change), {**values, **row})
    note_outbox_write(session, outbox_model)


class OutboxRelay:
    """Publishes unpublished outbox rows in occurrence order and marks them sent once confirmed.

    Several relays (replicas) may run at once on PostgreSQL: `FOR UPDATE SKIP LOCKED` hands each
    batch to one of them. A row is marked published only after the broker confirmed it, so a crash
    between the two re-publishes it — consumers are idempotent (inbox.py).

    It wakes as soon as a transaction that added events commits: in this process through `notify`, in any
    process on PostgreSQL through LISTEN on the table's channel (`outbox_notify_ddl`'s trigger NOTIFYs it).
    The poll stays as the safety net: every `poll_seconds` without LISTEN, every `LISTENING_POLL_SECONDS` with it.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        outbox_model: type[OutboxMessageMixin],
        bus: EventBus,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.5,
        max_backoff: float = MAX_BACKOFF_SECONDS,
        service: str = "fitjourney",
    ) -> None:
        self.session_factory = session_factory
        self.outbox_model = outbox_model
        self.bus = bus
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.max_backoff = max_backoff
        self.service = service
        self.published_total = 0
        self.consecutive_failures = 0
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()  # set with run_forever's `stop` (one watcher task, not one a sleep)
        self._published_counters: dict[str, Any] = {}  # EVENTS_PUBLISHED's series by type (labels() locks)
        self.listening = False  # True while a LISTEN connection is open (PostgreSQL only)
        self._own: _OwnConnection | None = None  # set inside `own_connection` (run_forever): the batches' connection
        # Built once, run with values (built per batch they were a sizeable part of a sparse event's relay CPU).
        # FOR UPDATE SKIP LOCKED hands a batch to one replica; SQLite renders no FOR UPDATE (one writer anyway).
        table: Table = outbox_model.__table__  # type: ignore[attr-defined]
        ids: Any = bindparam("ids", expanding=True)
        self._next_batch = (select(table.c.id, table.c.payload, table.c.trace_headers)
                            .where(table.c.published_at.is_(None)).order_by(table.c.occurred_at, table.c.id)
                            .limit(batch_size).with_for_update(skip_locked=True))
        self._mark_published = update(table).where(table.c.id.in_(ids)).values(published_at=bindparam("at"))
        self._count_attempt = update(table).where(table.c.id.in_(ids)).values(attempts=table.c.attempts + 1)
        # On PostgreSQL through asyncpg a batch runs on the pooled driver connection itself (_run_once_asyncpg),
        # with these statements as text: the SELECT compiled once (the JSON columns as text, which pydantic parses
        # in one pass), the UPDATEs completed per batch with the ids, UUIDs (safe to inline).
        engine = session_factory.kw.get("bind")
        self._asyncpg_engine: AsyncEngine | None = None
        if isinstance(engine, AsyncEngine) and engine.dialect.name == "postgresql" \
                and engine.dialect.driver == "asyncpg":
            self._asyncpg_engine = engine
            next_batch = (select(table.c.id, cast(table.c.payload, Text), cast(table.c.trace_headers, Text))
                          .where(table.c.published_at.is_(None)).order_by(table.c.occurred_at, table.c.id)
                          .limit(batch_size).with_for_update(skip_locked=True))
            self._sql_next_batch = str(next_batch.compile(dialect=engine.dialect,
                                                          compile_kwargs={"literal_binds": True}))
            name = engine.dialect.identifier_preparer.format_table(table)
            ids = "WHERE id = ANY('{{{}}}'::uuid[]);"
            self._sql_mark_published = f"UPDATE {name} SET published_at = clock_timestamp() " + ids  # noqa: S608
            self._sql_count_attempt = f"UPDATE {name} SET attempts = attempts + 1 " + ids  # noqa: S608
        _RELAYS.add(self)

    def notify(self) -> None:
        """Wake `run_forever` now instead of at the next poll (called after a commit that added events)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Publish one batch; returns how many events the broker confirmed (0 when it is unreachable)."""
        if self._asyncpg_engine is not None:
            if self._own is not None:
                return await self._run_once_own(self._own, self._asyncpg_engine)
            return await self._run_once_asyncpg(self._asyncpg_engine)
        async with self.session_factory() as session, session.begin():
            rows = (await session.execute(self._next_batch)).all()
            if not rows:
                self.consecutive_failures = 0
                return 0
            envelopes, confirmed, unconfirmed = await self._publish(
                (row_id, lambda payload=payload, headers=trace_headers: EventEnvelope.model_validate(
                    {**payload, "trace_headers": headers or {}}))
                for row_id, payload, trace_headers in rows)
            # Confirmed events are marked even when others failed, so they are not sent twice.
            if confirmed:
                await session.execute(self._mark_published, {"ids": confirmed, "at": datetime.now(UTC)})
            if unconfirmed:
                await session.execute(self._count_attempt, {"ids": unconfirmed})
        return self._count_published(envelopes, confirmed)

    async def _run_once_asyncpg(self, engine: AsyncEngine) -> int:
        """`run_once` on the pooled asyncpg connection, without a Session: BEGIN, the batch's SELECT … FOR UPDATE
        SKIP LOCKED (prepared once per connection by asyncpg), then the UPDATEs and the COMMIT in one round trip
        (the ids are UUIDs, safe to inline): three round trips a batch where the Session's path takes four, and
        none of its per-batch work. The transaction is the same, so are the locks and what a crash leaves."""
        async with engine.connect() as connection:
            driver: Any = (await connection.get_raw_connection()).driver_connection
            try:
                await driver.execute("BEGIN")
                rows = await driver.fetch(self._sql_next_batch)
                if not rows:
                    await driver.execute("COMMIT")
                    self.consecutive_failures = 0
                    return 0
                envelopes, confirmed, unconfirmed = await self._publish(
                    (row_id, lambda payload=payload, headers=trace_headers: _envelope_from_text(payload, headers))
                    for row_id, payload, trace_headers in rows)
                # Confirmed events are marked even when others failed, so they are not sent twice.
                await driver.execute(self._finish_sql(confirmed, unconfirmed) + "COMMIT")
            finally:
                # Never back to the pool inside a transaction (SQLAlchemy's reset knows nothing of this one).
                if not driver.is_closed() and driver.is_in_transaction():
                    try:
                        await driver.execute("ROLLBACK")
                    except Exception:
                        await connection.invalidate()
                        raise
        return self._count_published(envelopes, confirmed)

    @contextlib.asynccontextmanager
    async def own_connection(self) -> AsyncIterator[None]:
        """Within it (`run_forever`), batches on PostgreSQL through asyncpg run on one connection of the relay's own,
        kept between batches, and a batch that published sends the next batch's BEGIN with its COMMIT: two round
        trips a batch where `_run_once_asyncpg` takes three, and no pool checkout and return (~0.2 ms of CPU each).
        That BEGIN leaves the connection idle in a transaction that holds no lock, no snapshot and no transaction
        id until the next batch's SELECT; a batch that found nothing ends with a plain COMMIT, so an idle relay is
        out of any transaction after its next poll. The connection goes back to the pool, rolled back, on leaving
        and after any failure (a fresh one is taken for the next batch)."""
        if self._asyncpg_engine is None or self._own is not None:
            yield
            return
        own = self._own = _OwnConnection()
        try:
            yield
        finally:
            self._own = None
            await own.release()

    async def _run_once_own(self, own: _OwnConnection, engine: AsyncEngine) -> int:
        """`_run_once_asyncpg` on the relay's own connection: the same transaction, statements, locks and order."""
        try:
            driver = await own.driver(engine)
            if not own.begun:
                await driver.execute("BEGIN")
            own.begun = False
            rows = await driver.fetch(self._sql_next_batch)
            if not rows:
                await driver.execute("COMMIT")  # no BEGIN ahead: an idle relay stays out of any transaction
                self.consecutive_failures = 0
                return 0
            envelopes, confirmed, unconfirmed = await self._publish(
                (row_id, lambda payload=payload, headers=trace_headers: _envelope_from_text(payload, headers))
                for row_id, payload, trace_headers in rows)
            # Confirmed events are marked even when others failed, so they are not sent twice. The next BEGIN
            # rides along (events come one at a time in the stack, the next is usually on its way), unless the
            # broker failed: the relay backs off then.
            begin_ahead = not self.consecutive_failures
            await driver.execute(self._finish_sql(confirmed, unconfirmed) + ("COMMIT; BEGIN;" if begin_ahead
                                                                             else "COMMIT"))
            own.begun = begin_ahead
        except BaseException:
            await own.release()  # rolled back, back to the pool: no lock or transaction outlives a failed batch
            raise
        return self._count_published(envelopes, confirmed)

    def _finish_sql(self, confirmed: list[uuid.UUID], unconfirmed: list[uuid.UUID]) -> str:
        """The batch's UPDATEs (the ids are UUIDs, safe to inline), to send with its COMMIT."""
        finish = ""
        if confirmed:
            finish += self._sql_mark_published.format(",".join(str(i) for i in confirmed))
        if unconfirmed:
            finish += self._sql_count_attempt.format(",".join(str(i) for i in unconfirmed))
        return finish

    async def _publish(self, rows: Any) -> tuple[list[EventEnvelope], list[uuid.UUID], list[uuid.UUID]]:
        """Publish a batch's rows, (id, envelope maker) each: the envelopes, the confirmed and the unconfirmed ids."""
        envelopes: list[EventEnvelope] = []
        unconfirmed: list[uuid.UUID] = []
        for row_id, make_envelope in rows:
            try:
                envelopes.append(make_envelope())
            except ValueError as exc:
                # Only a hand-edited row gets here; it must not hold up the events behind it.
                log.error("outbox relay %s: row %s is not an envelope, left unpublished: %s",
                          self.service, row_id, exc)
                unconfirmed.append(row_id)
        try:
            await self.bus.publish(envelopes)
            confirmed = [envelope.id for envelope in envelopes]
        except PublishError as exc:
            self.consecutive_failures += 1
            confirmed = [e.id for e in envelopes if e.id in exc.confirmed]
            unconfirmed += [e.id for e in envelopes if e.id not in exc.confirmed]
            log.warning("outbox relay %s: %d of %d event(s) not published, will retry: %s",
                        self.service, len(envelopes) - len(confirmed), len(envelopes), exc)
        else:
            self.consecutive_failures = 0
        return envelopes, confirmed, unconfirmed

    def _count_published(self, envelopes: list[EventEnvelope], confirmed: list[uuid.UUID]) -> int:
        self.published_total += len(confirmed)
        confirmed_ids = set(confirmed)
        for event_type, count in Counter(e.type for e in envelopes if e.id in confirmed_ids).items():
            counter = self._published_counters.get(event_type)
            if counter is None:
                counter = self._published_counters[event_type] = EVENTS_PUBLISHED.labels(
                    service=self.service, type=event_type)
            counter.inc(count)
        return len(confirmed)

    async def flush(self, seconds: float = 10.0) -> int:
        """Publish every pending event now (at shutdown); stops early when the broker does not confirm.

        Returns how many were published; what is left waits in the outbox for the next relay."""
        published = 0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    count = await self.run_once()
                    published += count
                    if count == 0 or self.consecutive_failures:
                        break
        return published

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; never raises: a broker or database outage only slows it down."""
        listener = asyncio.create_task(self._listen(stop), name=f"outbox-listen-{self.service}")
        self._stopping = asyncio.Event()
        watcher = asyncio.create_task(self._pass_on_stop(stop), name=f"outbox-stop-{self.service}")
        try:
            async with self.own_connection():
                await self._relay(stop)
        finally:
            for task in (listener, watcher):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _pass_on_stop(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._stopping.set()
        self._wake.set()

    async def _listen(self, stop: asyncio.Event) -> None:
        """Hold one connection that LISTENs on the outbox's channel, reopened after a loss (PostgreSQL with
        asyncpg only; elsewhere the in-process wake-up and the poll do)."""
        engine = self.session_factory.kw.get("bind")
        if not isinstance(engine, AsyncEngine) or engine.dialect.name != "postgresql" \
                or engine.dialect.driver != "asyncpg":
            return
        table = self.outbox_model.__table__  # type: ignore[attr-defined]
        channel = outbox_channel(table.schema, table.name)
        delay = LISTEN_RETRY_FIRST_SECONDS
        while not stop.is_set():
            try:
                async with engine.connect() as connection:
                    driver = (await connection.get_raw_connection()).driver_connection
                    if driver is None:
                        raise RuntimeError("the pool handed out a connection without its asyncpg connection")
                    lost = asyncio.Event()

                    def on_notification(*_: Any) -> None:
                        self.notify()

                    def on_lost(_: Any, lost: asyncio.Event = lost) -> None:
                        lost.set()

                    driver.add_termination_listener(on_lost)
                    await driver.add_listener(channel, on_notification)
                    self.listening, delay = True, LISTEN_RETRY_FIRST_SECONDS
                    self.notify()  # what committed while nobody listened
                    try:
                        await _first_of(stop.wait(), lost.wait())
                    finally:
                        self.listening = False
                        driver.remove_termination_listener(on_lost)
                        if not driver.is_closed():  # back to the pool: it must not LISTEN any more
                            await driver.remove_listener(channel, on_notification)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox relay %s: LISTEN %s lost, polling every %.1fs until it is back: %r",
                            self.service, channel, self.poll_seconds, exc)
            if not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(LISTEN_RETRY_MAX_SECONDS, delay * 2)

    async def _relay(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        next_gauge_update = loop.time()
        while not stop.is_set():
            try:
                if loop.time() >= next_gauge_update:  # a count(*) now and then, not on every poll
                    next_gauge_update = loop.time() + PENDING_GAUGE_SECONDS
                    await self.pending_count()
                published = await self.run_once()
            except Exception:
                self.consecutive_failures += 1
                published = 0
                log.exception("outbox relay %s failed", self.service)
            if self.consecutive_failures:
                # Exponent capped: hours of outage must not overflow the float.
                delay = min(self.max_backoff, self.poll_seconds * 2 ** min(self.consecutive_failures, 20))
            elif published >= self.batch_size:
                continue  # more rows are waiting
            else:
                delay = max(self.poll_seconds, LISTENING_POLL_SECONDS) if self.listening else self.poll_seconds
            await self._sleep(delay, stop, wake_early=not self.consecutive_failures)

    async def _sleep(self, seconds: float, stop: asyncio.Event, *, wake_early: bool) -> None:
        # One event to wait on, no task: `_pass_on_stop` sets both on stop. Two waiter tasks a sleep, as before,
        # cost ~30 µs of CPU per wake-up, and a relay wakes once an event in the stack.
        try:
            if not stop.is_set():
                async with asyncio.timeout(seconds):
                    await (self._wake if wake_early else self._stopping).wait()
        except TimeoutError:
            pass
        finally:
            self._wake.clear()

    async def pending_count(self) -> int:
        model = self.outbox_model
        async with self.session_factory() as session:
            count = int(await session.scalar(
                select(func.count()).select_from(model).where(model.published_at.is_(None))
            ) or 0)
        OUTBOX_PENDING.labels(service=self.service).set(count)
        return count

    async def purge_published(self, older_than: timedelta) -> int:
        """Delete rows published before now - `older_than` (the outbox is not an event store)."""
        model = self.outbox_model
        cutoff = datetime.now(UTC) - older_than
        async with self.session_factory() as session, session.begin():
            result = await session.execute(
                delete(model).where(model.published_at.is_not(None), model.published_at < cutoff)
                .execution_options(synchronize_session=False)
            )
        return int(getattr(result, "rowcount", 0) or 0)


class _OwnConnection:
    """A pooled connection a relay keeps between batches (`OutboxRelay.own_connection`)."""

    def __init__(self) -> None:
        self.connection: AsyncConnection | None = None
        self.driver_connection: Any = None
        self.renew_at = 0.0
        self.begun = False  # the last COMMIT sent the next BEGIN: the connection is in that transaction

    async def driver(self, engine: AsyncEngine) -> Any:
        """The asyncpg connection, taken from the pool when there is none, when the server closed it while it waited
        (a restart, an idle timeout: asyncpg knows from the socket's EOF, no round trip) or when it is due."""
        if self.connection is not None and (self.driver_connection.is_closed()
                                            or time.monotonic() >= self.renew_at):
            await self.release()
        if self.connection is None:
            connection = await engine.connect()
            self.driver_connection = (await connection.get_raw_connection()).driver_connection
            self.connection = connection
            # Renewed as often as the pool renews its own (`pool_recycle`: before a proxy's idle timeout cuts it).
            recycle = engine.pool._recycle  # the pool's setting; SQLAlchemy exposes it no other way
            self.renew_at = time.monotonic() + (recycle if recycle > 0 else float("inf"))
        return self.driver_connection

    async def release(self) -> None:
        """Back to the pool outside any transaction (SQLAlchemy's reset knows nothing of the relay's own); a failed
        ROLLBACK drops the connection instead of raising, so a failed batch's own error is the one raised."""
        connection, driver = self.connection, self.driver_connection
        self.connection, self.driver_connection, self.begun = None, None, False
        if connection is None:
            return
        try:
            if not driver.is_closed() and driver.is_in_transaction():
                await driver.execute("ROLLBACK")
        except Exception as exc:
            log.debug("outbox relay: ROLLBACK on its own connection failed, connection dropped: %r", exc)
            await connection.invalidate()
        finally:
            await connection.close()


def _envelope_from_text(payload: str, trace_headers: str | None) -> EventEnvelope:
    """An outbox row's envelope from its columns as text (pydantic parses the JSON itself, in one pass)."""
    envelope = EventEnvelope.model_validate_json(payload)
    headers = json.loads(trace_headers) if trace_headers else None
    return envelope.model_copy(update={"trace_headers": headers}) if headers else envelope


async def _first_of(*waits: Any) -> None:
    """Wait until the first of these coroutines returns; the others are cancelled."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
