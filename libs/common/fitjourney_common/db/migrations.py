"""Alembic plumbing every service's `alembic/env.py` calls, a way to run a service's migrations, and the event
tables (outbox, inbox) every service's first migration creates."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from fitjourney_common.db.engine import create_engine, is_sqlite


def _configure_and_run(connection: Connection, metadata: MetaData, schema: str) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        include_schemas=True,
        include_name=lambda name, type_, _parent: type_ != "schema" or name == schema,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(database_url: str, metadata: MetaData, schema: str) -> None:
    engine = create_engine(database_url, schema, pool_size=1)
    try:
        async with engine.connect() as connection:
            # Asked first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
            # exists, which an owner role (`make migrate`) does not have: its schema was made for it.
            if not is_sqlite(database_url):
                if not await connection.scalar(
                        text("select 1 from pg_namespace where nspname = :schema"), {"schema": schema}):
                    await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
                # Alembic must begin the migrations' transaction itself (autocommit_block needs to own it).
                await connection.commit()
            await connection.run_sync(_configure_and_run, metadata, schema)
            await connection.commit()
    finally:
        await engine.dispose()


def run_env(metadata: MetaData, schema: str) -> None:
    """Body of a service's alembic/env.py: online migrations on the URL given to Alembic, or else on
    DATABASE_URL (so `alembic upgrade head` needs only the service's own environment)."""
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("Set DATABASE_URL (or sqlalchemy.url) to run migrations")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, version_table_schema=schema,
                          literal_binds=True, include_schemas=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, metadata, schema))


def alembic_config(service_dir: Path, database_url: str) -> Config:
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "alembic"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(service_dir: Path, database_url: str) -> None:
    """Blocking (Alembic runs its own event loop): call it via `asyncio.to_thread` from async code."""
    command.upgrade(alembic_config(service_dir, database_url), "head")


def create_event_tables(schema: str, outbox: str = "outbox") -> None:
    """The transactional outbox and the inbox (`processed_events`) as every service's first migration creates
    them. Written without a user (relay, consumers before binding), so no row-level security. Frozen: applied
    databases have exactly this shape, so a change to these tables is a new migration, never an edit here."""
    unpublished = sa.text("published_at IS NULL")
    op.create_table(
        outbox,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("trace_headers", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{outbox}"),
        schema=schema,
    )
    op.create_index(f"ix_{outbox}_occurred_at", outbox, ["occurred_at"], schema=schema)
    op.create_index(f"ix_{outbox}_unpublished", outbox, ["occurred_at"], schema=schema,
                    postgresql_where=unpublished, sqlite_where=unpublished)
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "consumer", name="pk_processed_events"),
        schema=schema,
    )


def outbox_notify(schema: str, table: str = "outbox", *, drop: bool = False) -> None:
    """In a migration: make (or with `drop`, remove) the trigger through which a commit that added events
    wakes the outbox relays at once (`fitjourney_common.events.outbox.outbox_notify_ddl`). PostgreSQL only:
    on SQLite the relay runs in the writing process and is woken there."""
    from fitjourney_common.events.outbox import outbox_notify_ddl

    if op.get_bind().dialect.name != "postgresql":
        return
    create, remove = outbox_notify_ddl(schema, table)
    for statement in remove if drop else create:
        op.execute(statement)
