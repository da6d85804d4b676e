"""The database layer: SQLite schemas as attached files, per-request commit/rollback, RLS scoping, cursors."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import String, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import TimestampMixin, UUIDPrimaryKeyMixin, make_base
from fitjourney_common.db.engine import bind_user, create_engine, create_session_factory, sqlite_schema_file
from fitjourney_common.db.pagination import decode_cursor, encode_cursor
from fitjourney_common.db.session import SessionDep, call_after_commit
from fitjourney_common.errors import ValidationFailed, install_error_handlers
from fitjourney_common.testing.postgres import create_app_role, temporary_database

Base = make_base("probe")


class Note(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "notes"
    user_id: Mapped[uuid.UUID]
    body: Mapped[str] = mapped_column(String(100))


async def test_sqlite_keeps_each_schema_in_its_own_attached_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/fj.db"
    engine = create_engine(url, "probe")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    factory = create_session_factory(engine)
    async with factory() as session:
        session.add(Note(user_id=uuid.uuid4(), body="hello"))
        await session.commit()
    async with factory() as session:
        assert (await session.scalars(select(Note.body))).all() == ["hello"]
        # SQLite keeps no offset; the column type hands back UTC-aware datetimes all the same.
        created = await session.scalar(select(Note.created_at))
        assert created is not None and created.utcoffset() == timedelta(0)
    await engine.dispose()
    assert Path(sqlite_schema_file(url, "probe")) == tmp_path / "fj-probe.db"
    assert (tmp_path / "fj-probe.db").exists()


async def test_request_session_commits_on_success_and_rolls_back_on_error(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/fj.db", "probe")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    app = FastAPI()
    install_error_handlers(app)
    factory = create_session_factory(engine)
    app.state.runtime = SimpleNamespace(session_factory=factory)  # all that SessionDep reads of a Runtime

    effects: list[str] = []

    @app.post("/notes/{body}")
    async def add(body: str, session: SessionDep) -> dict[str, str]:
        session.add(Note(user_id=uuid.uuid4(), body=body))
        await session.flush()

        async def announce() -> None:
            # Runs after the commit: the note is already visible to a new session.
            async with factory() as other:
                if body in (await other.scalars(select(Note.body))).all():
                    effects.append(body)

        call_after_commit(session, announce)
        if body == "fail":
            raise ValidationFailed("body", "must not be fail")
        return {"ok": body}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.post("/notes/kept")).status_code == 200
        assert (await http.post("/notes/fail")).status_code == 422
    async with factory() as session:
        assert (await session.scalars(select(Note.body))).all() == ["kept"]
    assert effects == ["kept"], "after-commit steps run once committed, never after a rollback"
    await engine.dispose()


async def test_a_lost_connection_is_a_503_and_any_other_database_error_a_500(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/fj.db", "probe")
    app = FastAPI()
    install_error_handlers(app)
    app.state.runtime = SimpleNamespace(session_factory=create_session_factory(engine))

    @app.post("/fail/{how}")
    async def fail(how: str, session: SessionDep) -> None:
        # What SQLAlchemy raises when PostgreSQL ended the backend (killed, failover) vs. a failed statement.
        raise DBAPIError("insert ...", None, Exception(how), connection_invalidated=how == "disconnect")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://t") as http:
        lost = await http.post("/fail/disconnect")
        assert lost.status_code == 503 and lost.headers["content-type"] == "application/problem+json"
        assert lost.json()["type"].endswith("/unavailable") and lost.headers["retry-after"] == "1"
        assert (await http.post("/fail/statement")).status_code == 500
    await engine.dispose()


@asynccontextmanager
async def _notes_under_rls() -> AsyncIterator[str]:
    """A throwaway database with probe.notes under a row-level security policy; yields a non-owner's URL."""
    async with temporary_database("fj_common") as url:
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        conn = await asyncpg.connect(dsn)
        await conn.execute("""
            CREATE SCHEMA probe;
            CREATE TABLE probe.notes (id uuid primary key, user_id uuid not null, body text not null,
                                      created_at timestamptz not null default now(),
                                      updated_at timestamptz not null default now());
            ALTER TABLE probe.notes ENABLE ROW LEVEL SECURITY;
            ALTER TABLE probe.notes FORCE ROW LEVEL SECURITY;
            CREATE POLICY owner ON probe.notes
              USING (user_id = current_setting('app.user_id', true)::uuid)
              WITH CHECK (user_id = current_setting('app.user_id', true)::uuid);
        """)
        await conn.close()
        yield await create_app_role(url, f"fj_probe_{uuid.uuid4().hex[:6]}", "probe")


async def _note_owners(factory: async_sessionmaker[AsyncSession]) -> tuple[uuid.UUID, uuid.UUID]:
    """Alice and Bob, each with a note written under their own RLS user."""
    alice, bob = uuid.uuid4(), uuid.uuid4()
    for owner in (alice, bob):
        async with factory() as session:
            await bind_user(session, owner)
            session.add(Note(user_id=owner, body=f"note of {owner}"))
            await session.commit()
    return alice, bob


async def test_bind_user_scopes_postgres_row_level_security() -> None:
    async with _notes_under_rls() as app_url:
        engine = create_engine(app_url, "probe")
        factory = create_session_factory(engine)
        alice, bob = await _note_owners(factory)
        async with factory() as session:
            await bind_user(session, alice)
            # No owner filter in the query: the policy alone keeps Bob's row out.
            rows = (await session.execute(text("select user_id from probe.notes"))).scalars().all()
            assert rows == [alice]
        async with factory() as session:
            with pytest.raises(Exception, match="row-level security"):
                await bind_user(session, alice)
                session.add(Note(user_id=bob, body="forged"))
                await session.flush()
        async with factory() as session:  # no user bound: nothing visible
            assert (await session.execute(text("select count(*) from probe.notes"))).scalar() == 0
        await engine.dispose()


async def test_the_rls_user_rides_with_begin_and_never_outlives_its_transaction() -> None:
    async with _notes_under_rls() as app_url:
        engine = create_engine(app_url, "probe", pool_size=1)  # one connection: every step reuses it
        factory = create_session_factory(engine)
        alice, bob = await _note_owners(factory)
        async with factory() as session:
            await bind_user(session, alice)
            await session.connection()  # the transaction begins, but no statement (so no BEGIN) is sent
            await session.commit()
        async with engine.connect() as plain:  # the same connection, outside any user's session
            setting = await plain.execute(text("select current_setting('app.user_id', true)"))
            assert setting.scalar() in (None, "")
        async with factory() as session:
            await bind_user(session, alice)
            owners = text("select user_id from probe.notes")
            assert (await session.execute(owners)).scalars().all() == [alice]
            await bind_user(session, bob)  # rebinding inside the open transaction takes effect at once
            assert (await session.execute(owners)).scalars().all() == [bob]
        await engine.dispose()


def test_cursor_round_trip_and_garbage() -> None:
    when, item = datetime(2026, 1, 2, 3, 4, tzinfo=UTC), uuid.uuid4()
    cursor = decode_cursor(encode_cursor(when, item))
    assert cursor.key == when.isoformat() and cursor.id == item
    with pytest.raises(ValidationFailed):
        decode_cursor("definitely-not-a-cursor")


async def test_statement_parameters_stay_out_of_errors(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/fj.db", "probe")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    note_id = uuid.uuid4()
    factory = create_session_factory(engine)
    async with factory() as session:
        session.add(Note(id=note_id, user_id=uuid.uuid4(), body="secret-journal-text"))
        await session.commit()
    async with factory() as session:
        session.add(Note(id=note_id, user_id=uuid.uuid4(), body="secret-journal-text"))
        with pytest.raises(Exception) as caught:
            await session.commit()
    assert "secret-journal-text" not in str(caught.value)
    await engine.dispose()


async def test_sqlite_refuses_text_with_nul_like_postgresql(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/nul.db", "probe")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("create table probe.notes (body text, blob blob)"))
            await connection.execute(text("insert into probe.notes values (:body, :blob)"),
                                     {"body": "fine", "blob": b"\x00binary is fine"})
        with pytest.raises(Exception, match="NUL"):
            async with engine.begin() as connection:
                await connection.execute(text("insert into probe.notes values (:body, null)"), {"body": "a\x00b"})
        async with engine.connect() as connection:
            assert (await connection.execute(text("select count(*) from probe.notes"))).scalar_one() == 1
    finally:
        await engine.dispose()
