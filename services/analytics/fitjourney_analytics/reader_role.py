"""The read-only PostgreSQL role analytics reads core through (`READ_DATABASE_URL`), kept by `make migrate`.

Run as the owner of core's tables (the migration user) after every service migrated, each time: it is
idempotent and also covers core tables added since. The role may SELECT in schema `core` and nothing
else, its sessions are read-only by default, and a permissive RLS policy `analytics_reader` lets it
see every row of core's RLS tables (the business metrics count across users; per-user reads still
filter by owner and bind the user). The role itself, with its password, is made by
`fitjourney_common.db.roles` (the first step of `make migrate`); in production it reads a replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

import asyncpg
from sqlalchemy.engine import make_url

from fitjourney_common.db.engine import is_sqlite

READER_ROLE = "fitjourney_analytics_reader"
CORE_SCHEMA = "core"


def _dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_reader_role(database_url: str, role: str = READER_ROLE) -> None:
    """Create or update the reader role on the database of `database_url` (no-op on SQLite)."""
    if is_sqlite(database_url):
        return
    conn = await asyncpg.connect(_dsn(database_url))
    try:
        # `make migrate` (fitjourney_common.db.roles) made the role with its password; core's owner, who
        # runs this there, may only grant. Tests run it as the superuser, which also makes the role.
        may_manage_roles = await conn.fetchval(
            "select rolsuper or rolcreaterole from pg_roles where rolname = current_user")
        exists = await conn.fetchval("select 1 from pg_roles where rolname = $1", role)
        if not exists and not may_manage_roles:
            raise SystemExit(f"role {role} does not exist: create the roles first "
                             "(python -m fitjourney_common.db.roles create ...)")
        if may_manage_roles:
            if not exists:
                with contextlib.suppress(asyncpg.DuplicateObjectError):  # a parallel run created it meanwhile
                    await conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE')
            await conn.execute(f'ALTER ROLE "{role}" SET default_transaction_read_only = on')
            database = await conn.fetchval("select current_database()")
            await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
        await conn.execute(f'GRANT USAGE ON SCHEMA "{CORE_SCHEMA}" TO "{role}"')
        await conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{CORE_SCHEMA}" TO "{role}"')
        tables = await conn.fetch(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = $1 and c.relkind in ('r', 'p') and c.relrowsecurity and not c.relispartition "
            "and not exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'analytics_reader')",
            CORE_SCHEMA)
        for table in tables:
            with contextlib.suppress(asyncpg.DuplicateObjectError):
                await conn.execute(f'CREATE POLICY analytics_reader ON "{CORE_SCHEMA}"."{table["relname"]}" '
                                   f'FOR SELECT TO "{role}" USING (true)')
    finally:
        await conn.close()


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL (the migration user's URL)")
    asyncio.run(ensure_reader_role(url))
    print(f"read-only role {READER_ROLE} ready on schema {CORE_SCHEMA}")


if __name__ == "__main__":
    main()
