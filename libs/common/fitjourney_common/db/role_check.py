"""Refuses, outside dev, a DATABASE_URL whose role row-level security would not bind.

A service connected as a superuser, a role with BYPASSRLS or the owner of its tables sees every user's
rows whatever `app.user_id` says (FORCE ROW LEVEL SECURITY does not bind a superuser or BYPASSRLS, and an
owner may switch it off). `make migrate` creates the runtime role a service should connect as.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# pg_has_role(..., 'USAGE') is true for the role itself, the roles whose rights it inherits, and a superuser.
ROLE_FACTS = text("""
    select current_user as role, r.rolsuper as superuser, r.rolbypassrls as bypass_rls,
           exists (select 1 from pg_namespace n
                    where n.nspname = :schema and pg_has_role(current_user, n.nspowner, 'USAGE')) as owns_schema,
           exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = :schema and pg_has_role(current_user, c.relowner, 'USAGE')) as owns_tables
      from pg_roles r where r.rolname = current_user
""")


class PrivilegedDatabaseRole(RuntimeError):
    """The service's database role is not bound by row-level security."""


async def privileged_role_problems(engine: AsyncEngine, schema: str) -> tuple[str, list[str]]:
    """The role the engine connects as, and why row-level security would not bind it (empty: it would)."""
    async with engine.connect() as connection:
        facts = (await connection.execute(ROLE_FACTS, {"schema": schema})).mappings().one()
    problems = [reason for flag, reason in (
        ("superuser", "is a superuser"), ("bypass_rls", "has BYPASSRLS"),
        ("owns_schema", f"owns schema {schema}"), ("owns_tables", f"owns tables of schema {schema}"),
    ) if facts[flag]]
    return str(facts["role"]), problems


async def refuse_privileged_role(engine: AsyncEngine, schema: str, variable: str = "DATABASE_URL") -> None:
    role, problems = await privileged_role_problems(engine, schema)
    if problems:
        raise PrivilegedDatabaseRole(
            f"{variable} connects as {role}, which {' and '.join(problems)}: row-level security would not "
            f"apply. Connect as the service's runtime role (`make migrate` creates fitjourney_{schema}); "
            "owners and superusers only migrate")
