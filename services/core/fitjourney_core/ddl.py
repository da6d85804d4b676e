"""DDL the core migrations share: owner row-level security and monthly partitions (PostgreSQL only)."""

from __future__ import annotations

from alembic import op

SCHEMA = "core"
# NULLIF: once a transaction-local set_config has been used on a pooled connection, the setting reads
# as '' (not NULL) afterwards, and ''::uuid would raise instead of simply matching no row.
CURRENT_USER_SQL = "NULLIF(current_setting('app.user_id', true), '')::uuid"


def is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enable_owner_rls(table: str) -> None:
    """Only rows whose `user_id` is the transaction's `app.user_id` are visible or writable.

    FORCE makes the policy apply to the table owner too; the service role owns nothing anyway.
    """
    if not is_postgres():
        return
    op.execute(f"ALTER TABLE {SCHEMA}.{table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {SCHEMA}.{table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY owner ON {SCHEMA}.{table} "
        f"USING (user_id = {CURRENT_USER_SQL}) WITH CHECK (user_id = {CURRENT_USER_SQL})"
    )


def disable_owner_rls(table: str) -> None:
    if not is_postgres():
        return
    op.execute(f"DROP POLICY IF EXISTS owner ON {SCHEMA}.{table}")
    op.execute(f"ALTER TABLE {SCHEMA}.{table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {SCHEMA}.{table} DISABLE ROW LEVEL SECURITY")


def create_monthly_partitions(table: str, months_ahead: int = 3) -> None:
    """DEFAULT partition plus one per month from the current one (the app keeps creating them ahead)."""
    if not is_postgres():
        return
    op.execute(
        f"SELECT {SCHEMA}.ensure_monthly_partitions('{SCHEMA}.{table}'::regclass, current_date, {int(months_ahead)})"
    )
