"""Throwaway PostgreSQL databases for test runs, migrated by the service's own Alembic scripts."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from fitjourney_common.db.migrations import upgrade_to_head

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain asyncpg connection to `url` (a SQLAlchemy `+asyncpg` URL will do), closed afterwards."""
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def temporary_database(prefix: str = "fj_test") -> AsyncIterator[str]:
    """Create an empty database, yield its SQLAlchemy URL, drop it afterwards (even if tests failed)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    async with connected(ADMIN_URL) as admin:
        await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL.replace("postgresql://", "postgresql+asyncpg://", 1)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        async with connected(ADMIN_URL) as admin:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def migrate(service_dir: Path, database_url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, service_dir, database_url)


async def create_app_role(database_url: str, role: str, schema: str) -> str:
    """A login role that owns nothing, so row-level security applies to it; returns its URL."""
    async with connected(database_url) as conn:
        if not await conn.fetchval("select 1 from pg_roles where rolname = $1", role):
            # A parallel test run on this server may create it between the check and here.
            with contextlib.suppress(asyncpg.DuplicateObjectError):
                await conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS')
        database = make_url(database_url).database
        await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
        await conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        await conn.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
        await conn.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"')
    return make_url(database_url).set(username=role, password=None).render_as_string(hide_password=False)
