"""The PostgreSQL roles of a deployment, made the same way by `make migrate`, compose's `db-roles` one-shot
and Helm's `db-roles` hook Job: `python -m fitjourney_common.db.roles create auth core ai analytics`.

Per service an owner role (`fitjourney_<service>_owner`) that owns schema `<service>` and runs its migrations,
and a runtime role (`fitjourney_<service>`) the service connects as: DML only, no ownership, no BYPASSRLS,
so row-level security always applies to it. Tables the owner creates later are granted to the runtime role
by default privileges. Also analytics' read-only reader of core (its SELECT grants and read policy come from
`fitjourney-analytics grant-reader`, run by core's owner after core's migrations) and the backup role.

Only this step uses the superuser (MIGRATE_ADMIN_URL); every password comes from the environment and none
has a default. Running it again changes nothing but passwords and attributes that drifted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.engine import URL, make_url

ADMIN_URL_VARIABLE = "MIGRATE_ADMIN_URL"
ROLE_PREFIX = "fitjourney"
# Extensions only a superuser may create, which migrations use when present (core's food search: pg_trgm).
EXTENSIONS = ("pg_trgm",)
# Attributes every login role of the platform gets (and gets back, should someone have changed them).
PLAIN = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"


@dataclass(frozen=True)
class RoleNames:
    """Role names; tests use their own prefix, because roles are shared by every database of a server."""

    prefix: str = ROLE_PREFIX

    def owner(self, service: str) -> str:
        return f"{self.prefix}_{service}_owner"

    def runtime(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    @property
    def reader(self) -> str:
        return f"{self.prefix}_analytics_reader"

    @property
    def backup(self) -> str:
        return f"{self.prefix}_backup"


def owner_password_variable(service: str) -> str:
    return f"{service.upper()}_DB_OWNER_PASSWORD"


def runtime_password_variable(service: str) -> str:
    return f"{service.upper()}_DB_PASSWORD"


READER_PASSWORD_VARIABLE = "ANALYTICS_DB_READER_PASSWORD"  # noqa: S105 - a variable name
BACKUP_PASSWORD_VARIABLE = "BACKUP_DB_PASSWORD"  # noqa: S105 - a variable name


def has_reader(services: Sequence[str]) -> bool:
    return "analytics" in services and "core" in services


def password_variables(services: Sequence[str]) -> list[str]:
    """Every variable `create` needs for these services, in the order README lists them."""
    names = [v for s in services for v in (owner_password_variable(s), runtime_password_variable(s))]
    return [*names, *([READER_PASSWORD_VARIABLE] if has_reader(services) else []), BACKUP_PASSWORD_VARIABLE]


class MissingSetting(ValueError):
    """A required variable is unset or empty; the message names every one."""


def passwords_from(environ: Mapping[str, str], services: Sequence[str]) -> dict[str, str]:
    missing = [name for name in password_variables(services) if not environ.get(name)]
    if missing:
        raise MissingSetting(f"set {', '.join(missing)} (no password has a default; `make .env` generates them)")
    return {name: environ[name] for name in password_variables(services)}


def admin_url_from(environ: Mapping[str, str]) -> URL:
    value = environ.get(ADMIN_URL_VARIABLE)
    if not value:
        raise MissingSetting(f"set {ADMIN_URL_VARIABLE} (a superuser's URL, with the database to create)")
    return make_url(value)


def role_url(admin_url: URL, role: str, password: str) -> str:
    """The services' URL (postgresql+asyncpg) of `role` on the admin URL's server and database."""
    return admin_url.set(drivername="postgresql+asyncpg", username=role, password=password) \
        .render_as_string(hide_password=False)


def _connect_args(url: URL, database: str | None = None) -> dict[str, Any]:
    ssl = url.query.get("ssl") or url.query.get("sslmode")
    return {"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username,
            "password": url.password, "database": database or url.database,
            **({"ssl": ssl} if isinstance(ssl, str) else {})}


async def _run(conn: asyncpg.Connection, template: str, *args: str) -> None:
    """Run DDL whose identifiers and literals PostgreSQL itself quotes (format's %I and %L): DDL takes no
    bind parameters, and a password may hold any character."""
    placeholders = ", ".join(f"${i + 1}::text" for i in range(len(args)))
    await conn.execute(await conn.fetchval(f"select format($${template}$$, {placeholders})", *args))


async def _ensure_role(conn: asyncpg.Connection, role: str, password: str, attributes: str) -> None:
    exists = await conn.fetchval("select 1 from pg_roles where rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    try:
        await _run(conn, f"{verb} ROLE %I WITH LOGIN PASSWORD %L {attributes}", role, password)
    except asyncpg.DuplicateObjectError:  # made meanwhile by a parallel run on this server
        await _run(conn, f"ALTER ROLE %I WITH LOGIN PASSWORD %L {attributes}", role, password)


async def ensure_database(admin_url: URL) -> None:
    """Create the admin URL's database unless it exists (connected to the server's `postgres` database)."""
    conn = await asyncpg.connect(**_connect_args(admin_url, "postgres"))
    try:
        if not await conn.fetchval("select 1 from pg_database where datname = $1", admin_url.database):
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # a parallel run made it meanwhile
                await _run(conn, "CREATE DATABASE %I", str(admin_url.database))
    finally:
        await conn.close()


async def create_roles(admin_url: URL, services: Sequence[str], passwords: Mapping[str, str],
                       names: RoleNames = RoleNames()) -> None:
    """Create (or bring back in line) the database, every role, the schemas and their default privileges."""
    await ensure_database(admin_url)
    conn = await asyncpg.connect(**_connect_args(admin_url))
    try:
        database = str(admin_url.database)
        admin, superuser = await conn.fetchrow(
            "select rolname, rolsuper from pg_roles where rolname = current_user")
        for extension in EXTENSIONS:
            with contextlib.suppress(asyncpg.UndefinedFileError):  # not installed: migrations do without it
                await _run(conn, "CREATE EXTENSION IF NOT EXISTS %I", extension)
        # Only the platform's roles may connect; nobody creates objects in `public`.
        await _run(conn, "REVOKE ALL ON DATABASE %I FROM PUBLIC", database)
        await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        for service in services:
            owner, runtime = names.owner(service), names.runtime(service)
            await _ensure_role(conn, owner, passwords[owner_password_variable(service)], f"{PLAIN} NOBYPASSRLS")
            await _ensure_role(conn, runtime, passwords[runtime_password_variable(service)],
                               f"{PLAIN} NOBYPASSRLS")
            await _run(conn, "REVOKE %I FROM %I", owner, runtime)  # never inherits the owner's rights
            if not superuser:  # RDS's master user: it acts for the owner (schema, default privileges) as a member
                await _run(conn, "GRANT %I TO %I", owner, admin)
            await _run(conn, "GRANT CONNECT ON DATABASE %I TO %I, %I", database, owner, runtime)
            await _run(conn, "CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I", service, owner)
            await _run(conn, "ALTER SCHEMA %I OWNER TO %I", service, owner)
            await _run(conn, "REVOKE CREATE ON SCHEMA %I FROM %I", service, runtime)
            await _run(conn, "GRANT USAGE ON SCHEMA %I TO %I", service, runtime)
            for privileges, kind in (("SELECT, INSERT, UPDATE, DELETE", "TABLES"), ("USAGE, SELECT", "SEQUENCES")):
                await _run(conn, f"ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT {privileges} ON {kind} "
                                 "TO %I", owner, service, runtime)
                # Tables migrated before this ran (default privileges cover only later ones).
                await _run(conn, f"GRANT {privileges} ON ALL {kind} IN SCHEMA %I TO %I", service, runtime)
        if has_reader(services):
            await _ensure_role(conn, names.reader, passwords[READER_PASSWORD_VARIABLE], f"{PLAIN} NOBYPASSRLS")
            await _run(conn, "ALTER ROLE %I SET default_transaction_read_only = on", names.reader)
            await _run(conn, "GRANT CONNECT ON DATABASE %I TO %I", database, names.reader)
        # pg_dump refuses to dump rows that row-level security would hide: the backup role reads everything.
        await _ensure_role(conn, names.backup, passwords[BACKUP_PASSWORD_VARIABLE], f"{PLAIN} BYPASSRLS")
        await _run(conn, "GRANT CONNECT ON DATABASE %I TO %I", database, names.backup)
        await _run(conn, "GRANT pg_read_all_data TO %I", names.backup)
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(prog="python -m fitjourney_common.db.roles", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help=f"create the database and roles ({ADMIN_URL_VARIABLE})")
    create.add_argument("services", nargs="+")
    url = commands.add_parser("url", help="print a role's DATABASE_URL (the admin URL's server and database)")
    url.add_argument("service")
    kind = url.add_mutually_exclusive_group()
    kind.add_argument("--owner", action="store_true", help="the owner role that migrates")
    kind.add_argument("--reader", action="store_true", help="analytics' read-only role on core")
    args = parser.parse_args(argv)
    try:
        admin_url = admin_url_from(environ)
        if args.command == "create":
            asyncio.run(create_roles(admin_url, args.services, passwords_from(environ, args.services)))
            print(f"roles ready on {admin_url.database}: owner and runtime role of {', '.join(args.services)}")
            return 0
        names = RoleNames()
        if args.reader and args.service != "analytics":
            raise MissingSetting("only analytics has a reader role (--reader)")
        role, variable = ((names.owner(args.service), owner_password_variable(args.service)) if args.owner else
                          (names.reader, READER_PASSWORD_VARIABLE) if args.reader else
                          (names.runtime(args.service), runtime_password_variable(args.service)))
        if not environ.get(variable):
            raise MissingSetting(f"set {variable}")
        print(role_url(admin_url, role, environ[variable]))
        return 0
    except MissingSetting as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
