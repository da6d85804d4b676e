"""`make migrate` on a fresh database: the superuser only makes the roles, each schema belongs to its owner
role, the runtime roles the services connect as are held by row-level security and can change no schema,
analytics' reader reads core and writes nothing; a second run changes nothing; a missing password stops it."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from fitjourney_common.db.roles import ADMIN_URL_VARIABLE, RoleNames, role_url
from fitjourney_common.testing.postgres import ADMIN_URL, connected

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("auth", "core", "ai", "analytics")
NAMES = RoleNames()

sys.path.insert(0, str(ROOT / "deploy" / "compose"))
import make_env  # noqa: E402


def secrets() -> dict[str, str]:
    """What `make .env` writes, as README's real stack exports it."""
    rendered = make_env.render((ROOT / ".env.example").read_text())
    return dict(line.split("=", 1) for line in rendered.splitlines() if "=" in line and not line.startswith("#"))


async def make_migrate(env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        "make", "-s", "migrate", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


class Database:
    def __init__(self, name: str, passwords: dict[str, str]):
        self.admin_url = make_url(ADMIN_URL).set(database=name)
        self.passwords = passwords

    def env(self) -> dict[str, str]:
        return {**os.environ, **self.passwords,
                ADMIN_URL_VARIABLE: self.admin_url.render_as_string(hide_password=False)}

    @asynccontextmanager
    async def connect(self, role: str, password_variable: str) -> AsyncIterator[asyncpg.Connection]:
        url = role_url(self.admin_url, role, self.passwords[password_variable])
        async with connected(url) as conn:
            yield conn


@pytest.fixture(scope="module")
async def database() -> AsyncIterator[Database]:
    db = Database(f"fj_migrate_{uuid.uuid4().hex[:10]}", secrets())
    try:  # dropped even when make migrate fails half-way
        returncode, output = await make_migrate(db.env())
        assert returncode == 0, output
        yield db
    finally:
        async with connected(ADMIN_URL) as admin:
            await admin.execute(f'DROP DATABASE IF EXISTS "{db.admin_url.database}" WITH (FORCE)')


async def test_each_schema_and_its_tables_belong_to_the_services_owner_role(database: Database) -> None:
    async with database.connect(NAMES.owner("core"), "CORE_DB_OWNER_PASSWORD") as conn:
        owners = await conn.fetch(
            "select n.nspname as schema, pg_get_userbyid(n.nspowner) as schema_owner, "
            "array_agg(distinct pg_get_userbyid(c.relowner)) as table_owners from pg_namespace n "
            "join pg_class c on c.relnamespace = n.oid where n.nspname = any($1::text[]) group by 1, 2",
            list(SERVICES))
    assert {r["schema"]: (r["schema_owner"], r["table_owners"]) for r in owners} == {
        s: (NAMES.owner(s), [NAMES.owner(s)]) for s in SERVICES}


async def test_the_runtime_roles_are_plain_non_owners(database: Database) -> None:
    async with database.connect(NAMES.runtime("core"), "CORE_DB_PASSWORD") as conn:
        roles = await conn.fetch(
            "select rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, "
            "pg_has_role(rolname, rolname || '_owner', 'USAGE') as inherits_owner from pg_roles "
            "where rolname = any($1::text[])", [NAMES.runtime(s) for s in SERVICES])
    assert len(roles) == len(SERVICES)
    for role in roles:
        assert not any(role[flag] for flag in ("rolsuper", "rolbypassrls", "rolcreaterole", "rolcreatedb",
                                               "inherits_owner")), dict(role)


@pytest.mark.parametrize("statement", [
    "ALTER TABLE core.habits DISABLE ROW LEVEL SECURITY",
    "ALTER TABLE core.habits NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE core.habits ADD COLUMN sneaky text",
    "DROP POLICY owner ON core.habits",
    "DROP TABLE core.habits",
    "TRUNCATE core.habits",
    "CREATE TABLE core.sneaky (id int)",
    "CREATE TABLE public.sneaky (id int)",
    "ALTER ROLE fitjourney_core BYPASSRLS",
    "SELECT * FROM auth.users",
])
async def test_the_runtime_role_cannot_change_the_schema_or_leave_its_own(database: Database, statement: str) -> None:
    async with database.connect(NAMES.runtime("core"), "CORE_DB_PASSWORD") as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)


async def test_row_level_security_binds_the_runtime_role(database: Database) -> None:
    users = [uuid.uuid4(), uuid.uuid4()]
    async with database.connect(NAMES.runtime("core"), "CORE_DB_PASSWORD") as conn:
        for user, count in zip(users, (2, 3), strict=True):
            async with conn.transaction():
                await conn.execute("select set_config('app.user_id', $1, true)", str(user))
                for n in range(count):
                    await conn.execute("insert into core.habits (id, name, user_id) values ($1, $2, $3)",
                                       uuid.uuid4(), f"habit {n}", user)
        async with conn.transaction():
            await conn.execute("select set_config('app.user_id', $1, true)", str(users[0]))
            seen = await conn.fetch("select user_id from core.habits")
            assert [r["user_id"] for r in seen] == [users[0]] * 2
            with pytest.raises(asyncpg.InsufficientPrivilegeError):  # WITH CHECK: no row for someone else
                await conn.execute("insert into core.habits (id, name, user_id) values ($1, 'x', $2)",
                                   uuid.uuid4(), users[1])
        async with conn.transaction():
            assert await conn.fetchval("select count(*) from core.habits") == 0  # no user bound: no rows
            await conn.execute("set local row_security = off")  # asks to bypass: refused, not ignored
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
                await conn.fetch("select * from core.habits")


async def test_the_analytics_reader_reads_core_and_writes_nothing(database: Database) -> None:
    async with database.connect(NAMES.reader, "ANALYTICS_DB_READER_PASSWORD") as conn:
        assert await conn.fetchval("select count(*) from core.food_catalogue") > 8000  # SR28, and RLS lets it read
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await conn.execute("insert into core.habits (id, name, user_id) values ($1, 'x', $1)", uuid.uuid4())
        await conn.execute("set default_transaction_read_only = off")  # a session may lift it: grants still hold
        for statement in ("insert into core.habits (id, name, user_id) values (gen_random_uuid(), 'x', "
                          "gen_random_uuid())", "delete from core.habits", "select * from auth.users",
                          "select * from analytics.outbox"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)


async def test_a_second_run_changes_nothing_and_new_passwords_take_effect(database: Database) -> None:
    async def state() -> list[asyncpg.Record]:
        async with database.connect(NAMES.owner("core"), "CORE_DB_OWNER_PASSWORD") as conn:
            return await conn.fetch(
                "select n.nspname, c.relname, pg_get_userbyid(c.relowner), c.relacl::text from pg_class c "
                "join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1::text[]) order by 1, 2",
                list(SERVICES))

    before = await state()
    returncode, output = await make_migrate(database.env())
    assert returncode == 0, output
    assert await state() == before


async def test_a_missing_password_stops_make_migrate_naming_it_before_anything_is_made() -> None:
    env = {**Database(f"fj_migrate_{uuid.uuid4().hex[:10]}", secrets()).env(), "CORE_DB_PASSWORD": ""}
    returncode, output = await make_migrate(env)
    assert returncode != 0 and "CORE_DB_PASSWORD" in output
    async with connected(ADMIN_URL) as admin:
        database = make_url(env[ADMIN_URL_VARIABLE]).database
        assert not await admin.fetchval("select 1 from pg_database where datname = $1", database)
