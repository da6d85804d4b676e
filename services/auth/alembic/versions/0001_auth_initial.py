"""Auth initial schema: accounts, identities, sessions, tokens, audit log, outbox, inbox.

No row-level security here, unlike core: auth must find an account by email and a session by token hash
before it knows who the caller is, so a per-user policy would have to let every such query through.
The audit log is append-only: on PostgreSQL a trigger refuses DELETE, and every UPDATE except the GDPR
redaction of an erased account (email, ip and user agent set to NULL, nothing else changed).

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_common.db.migrations import create_event_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "auth"
TZ = sa.DateTime(timezone=True)

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION auth.audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.email IS NULL AND NEW.ip IS NULL AND NEW.user_agent IS NULL
       AND NEW.id = OLD.id AND NEW.occurred_at = OLD.occurred_at AND NEW.action = OLD.action
       AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id AND NEW.detail::text = OLD.detail::text THEN
        RETURN NEW;  -- redaction of personal data after an account erasure
    END IF;
    RAISE EXCEPTION 'auth.audit_log is append-only (% refused)', TG_OP;
END;
$fn$
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON auth.audit_log
FOR EACH ROW EXECUTE FUNCTION auth.audit_log_append_only()
"""


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("email_normalized", sa.String(320), nullable=True),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(100), nullable=True),
        sa.Column("password_changed_at", TZ, nullable=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email_normalized", name="uq_users_email_normalized"),
        schema=SCHEMA,
    )
    op.create_index("ix_users_created_at_id", "users", ["created_at", "id"], schema=SCHEMA)

    op.create_table(
        "identities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_identities"),
        sa.ForeignKeyConstraint(["user_id"], [f"{SCHEMA}.users.id"], name="fk_identities_user_id_users",
                                ondelete="CASCADE"),
        sa.UniqueConstraint("provider", "subject", name="uq_identities_provider_subject"),
        schema=SCHEMA,
    )
    op.create_index("ix_identities_user_id", "identities", ["user_id"], schema=SCHEMA)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_used_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.Column("revoked_reason", sa.String(40), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["user_id"], [f"{SCHEMA}.users.id"], name="fk_sessions_user_id_users",
                                ondelete="CASCADE"),
        schema=SCHEMA,
    )
    op.create_index("ix_sessions_user_id_created_at", "sessions", ["user_id", "created_at"], schema=SCHEMA)

    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_refresh_tokens"),
        sa.ForeignKeyConstraint(["session_id"], [f"{SCHEMA}.sessions.id"],
                                name="fk_refresh_tokens_session_id_sessions", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], [f"{SCHEMA}.users.id"], name="fk_refresh_tokens_user_id_users",
                                ondelete="CASCADE"),
        schema=SCHEMA,
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"], schema=SCHEMA)
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"], schema=SCHEMA)

    op.create_table(
        "password_reset_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_password_reset_tokens"),
        sa.ForeignKeyConstraint(["user_id"], [f"{SCHEMA}.users.id"],
                                name="fk_password_reset_tokens_user_id_users", ondelete="CASCADE"),
        schema=SCHEMA,
    )
    op.create_index("ix_password_reset_tokens_user_id", "password_reset_tokens", ["user_id"], schema=SCHEMA)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=SCHEMA,
    )
    op.create_index("ix_audit_log_user_id_occurred_at", "audit_log", ["user_id", "occurred_at"], schema=SCHEMA)
    op.create_index("ix_audit_log_email_occurred_at", "audit_log", ["email", "occurred_at"], schema=SCHEMA)

    create_event_tables(SCHEMA, outbox="outbox_messages")

    if _is_postgres():
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    if _is_postgres():
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON auth.audit_log")
        op.execute("DROP FUNCTION IF EXISTS auth.audit_log_append_only()")
    for table in ("processed_events", "outbox_messages", "audit_log", "password_reset_tokens",
                  "refresh_tokens", "sessions", "identities", "users"):
        op.drop_table(table, schema=SCHEMA)
