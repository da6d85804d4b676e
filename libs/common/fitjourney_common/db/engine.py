"""The one place that knows the database dialects: SQLite schemas and PostgreSQL row-level security."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from fitjourney_common.settings import dev_extra

RLS_USER_SETTING = "app.user_id"
# Bound when no user is: a connection that once had a transaction-local `app.user_id` reads it back as
# '' afterwards, which a policy's `::uuid` cast rejects; the nil UUID owns no rows and casts cleanly.
NO_USER = "00000000-0000-0000-0000-000000000000"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_schema_file(database_url: str, schema: str) -> str:
    """SQLite has no schemas: each service schema is a file attached under the schema's name."""
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return ":memory:"
    path = Path(database)
    return str(path.with_name(f"{path.stem}-{schema}{path.suffix or '.db'}"))


def create_engine(
    database_url: str, schema: str, *, pool_size: int = 20, max_overflow: int = 0, pool_timeout: float = 10.0,
    pool_recycle: int = 1800, application_name: str | None = None, echo: bool = False,
) -> AsyncEngine:
    """An async engine for `postgresql+asyncpg://` or `sqlite+aiosqlite://`, serving `schema`.

    PostgreSQL: a fixed pool (`pool_size` connections kept open; no overflow by default, so a burst waits up
    to `pool_timeout` for a connection instead of opening and closing extra ones), no ping per checkout
    (a round trip on every request): a connection the server already closed is replaced at checkout for free
    (`_replace_closed_connection`), `pool_recycle` renews connections before a proxy's idle timeout cuts
    them, and a connection lost mid-request is a 503 (`errors.py`), its transaction rolled back by the server.
    Statement parameters are kept out of error messages and logs: they hold emails, hashes and journal text.

    Prepared statements run generic plans (`plan_cache_mode`, sent in the startup packet: no round trip).
    With the default (`auto`) PostgreSQL plans each statement for its parameters five times per connection,
    then re-plans every execution whose generic plan is estimated dearer. In a bench run that was the
    daily summary (over partitioned tables: the generic estimate counts every partition, though the
    executor prunes them at run time; 2.2 ms of planning per call for 1.7 ms of execution), the workout
    list and insert and the check-in reads. Their generic plans use the same indexes.
    """
    if not is_sqlite(database_url):
        server_settings = {"plan_cache_mode": "force_generic_plan"}
        if application_name:
            server_settings["application_name"] = application_name
        connect_args: dict[str, Any] = {"connection_class": RlsConnection, "server_settings": server_settings}
        engine = create_async_engine(
            database_url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout,
            pool_recycle=pool_recycle, pool_pre_ping=False, echo=echo, hide_parameters=True,
            connect_args=connect_args,
        )
        event.listen(engine.sync_engine, "checkout", _replace_closed_connection)
        return engine

    dev_extra("aiosqlite", "DATABASE_URL=sqlite…")
    url = make_url(database_url)
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True, "connect_args": {"check_same_thread": False}}
    if not url.database or url.database == ":memory:":
        kwargs["poolclass"] = StaticPool  # one connection, or each would see its own empty database
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(database_url, **kwargs)
    attached = sqlite_schema_file(database_url, schema)

    @event.listens_for(engine.sync_engine, "connect")
    def _prepare_sqlite(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("ATTACH DATABASE ? AS " + schema, (attached,))
        cursor.execute(f"PRAGMA {schema}.journal_mode=WAL")
        cursor.execute(f"PRAGMA {schema}.busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _refuse_nul_in_text(_conn: Any, _cursor: Any, _statement: str, parameters: Any, *_: Any) -> None:
        # PostgreSQL cannot store NUL in text (a DataError there) while SQLite would: make dev refuses it too,
        # so a path that lets it through fails in development, not first in production.
        if _holds_nul_text(parameters):
            raise ValueError("text with a NUL character cannot be stored (PostgreSQL refuses it too)")

    return engine


def _replace_closed_connection(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    if isinstance(record.driver_connection, RlsConnection):
        # A borrower starts with nothing pending for its BEGIN.
        driver = record.driver_connection
        driver.rls_user_for_next_begin = driver.sql_after_next_begin = driver.status_of_begin = None
    # The server ending a connection (restart, failover, pg_terminate_backend, an idle timeout) reaches the
    # driver as the socket's EOF while the connection sits in the pool: asyncpg then knows it is closed, so
    # this costs no round trip. DisconnectionError makes the pool open a fresh one and hand that out instead.
    if record.driver_connection.is_closed():
        raise sa_exc.DisconnectionError("the server closed this pooled connection")


def _holds_nul_text(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul_text(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_nul_text(item) for item in value)
    return False


class RlsConnection(asyncpg.Connection):
    """An asyncpg connection that can send the RLS user, and one statement, with the transaction's BEGIN.

    asyncpg sends `BEGIN` on its own, as a simple query, when the first statement of a transaction runs;
    a simple query may hold several statements, so the user rides along in the same round trip instead of
    a second one after it. The value is a UUID's canonical text, so it is safe to inline. It is sent as
    `SET LOCAL` (a utility statement: no parse analysis, plan or portal), not `SELECT set_config(…, true)`,
    which has the same effect but went through the planner and executor once per transaction.
    pg_stat_statements shows it with its constants as parameters, e.g. `SET LOCAL "app.user_id" = $1`.
    `sql_after_next_begin` (the inbox's claim, its values inlined safely) rides along too, last, and its
    command status ("INSERT 0 1") is kept in `status_of_begin`. A BEGIN that fails with its passengers
    closes the connection (asyncpg keeps a failed BEGIN as the connection's transaction), so the pool
    replaces it.
    """

    rls_user_for_next_begin: str | None = None
    sql_after_next_begin: str | None = None
    status_of_begin: str | None = None

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:  # noqa: ASYNC109 - asyncpg's signature
        user, after = self.rls_user_for_next_begin, self.sql_after_next_begin
        if (user is not None or after is not None) and not args and query.startswith("BEGIN"):
            self.rls_user_for_next_begin = self.sql_after_next_begin = self.status_of_begin = None
            query = f"{query.rstrip(';')};"
            if user is not None:
                query = f"{query} SET LOCAL \"{RLS_USER_SETTING}\" = '{user}';"
            if after is not None:
                query = f"{query} {after}"
            try:
                self.status_of_begin = await super().execute(query, timeout=timeout)
            except Exception:
                self.terminate()
                raise
            return self.status_of_begin
        return await super().execute(query, *args, timeout=timeout)  # type: ignore[no-any-return]


class UserScopedSession(Session):
    """Sets `app.user_id` at the start of every transaction so PostgreSQL RLS policies apply.

    The value is transaction-local (`set_config(..., true)`), so a pooled connection never leaks it.
    """


def _set_rls(connection: Any, user_id: Any) -> None:
    """`app.user_id` for the connection's transaction: with its BEGIN if that is still to be sent
    (`RlsConnection`), else by a statement now."""
    value = str(uuid.UUID(str(user_id))) if user_id else NO_USER
    driver = connection.connection.driver_connection
    if isinstance(driver, RlsConnection) and not driver.is_in_transaction():
        driver.rls_user_for_next_begin = value
        return
    connection.execute(text("select set_config(:name, :value, true)"), {"name": RLS_USER_SETTING, "value": value})


@event.listens_for(UserScopedSession, "after_begin")
def _set_rls_user(session: Session, _transaction: Any, connection: Any) -> None:
    if connection.dialect.name == "postgresql":
        _set_rls(connection, session.info.get("user_id"))


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=UserScopedSession)


async def bind_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Scope the session to a user: RLS on PostgreSQL from now on, including a transaction already open."""
    session.info["user_id"] = user_id
    if session.in_transaction() and session.bind is not None and session.bind.dialect.name == "postgresql":
        connection = await session.connection()
        await connection.run_sync(_set_rls, user_id)
