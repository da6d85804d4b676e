"""GDPR data exports (`exports`) and the append-only audit log of exports and erasures (`audit_log`).

Both tables are user-owned and FORCE row-level security with the owner policy, like every other.
`exports` allows one pending export per user (a partial unique index). `audit_log` is append-only: on
PostgreSQL a trigger refuses UPDATE and DELETE, and the erasure keeps its rows (they hold the user id
and what happened, nothing personal).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_core.ddl import disable_owner_rls, enable_owner_rls, is_postgres

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "core"
ONE_PENDING = sa.text("status = 'pending' AND deleted_at IS NULL")

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION core.audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'core.audit_log is append-only (% refused)', TG_OP;
END;
$fn$
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON core.audit_log
FOR EACH ROW EXECUTE FUNCTION core.audit_log_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("object_key", sa.String(255)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_exports"),
        sa.CheckConstraint("status IN ('pending', 'ready', 'failed')", name="ck_exports_status"),
        schema=SCHEMA,
    )
    op.create_index("ix_exports_user_id", "exports", ["user_id"], schema=SCHEMA)
    op.create_index("ix_exports_user_id_pending", "exports", ["user_id"], unique=True, schema=SCHEMA,
                    postgresql_where=ONE_PENDING, sqlite_where=ONE_PENDING)

    audit_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "audit_log",
        sa.Column("id", audit_id, primary_key=True, autoincrement=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=SCHEMA,
    )
    op.create_index("ix_audit_log_user_id_occurred_at", "audit_log", ["user_id", "occurred_at"], schema=SCHEMA)

    for table in ("exports", "audit_log"):
        enable_owner_rls(table)
    if is_postgres():
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    if is_postgres():
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON core.audit_log")
        op.execute("DROP FUNCTION IF EXISTS core.audit_log_append_only()")
    for table in ("audit_log", "exports"):
        disable_owner_rls(table)
        op.drop_table(table, schema=SCHEMA)
