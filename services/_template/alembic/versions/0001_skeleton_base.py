"""Skeleton base: outbox, inbox, and the example `notes` table with row-level security.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_common.db.migrations import create_event_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "skeleton"


def upgrade() -> None:
    # Infrastructure tables: written without a user (relay, consumers before binding), so no RLS.
    create_event_tables(SCHEMA)
    op.create_table(
        "notes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notes"),
        schema=SCHEMA,
    )
    op.create_index("ix_notes_user_id_created_at", "notes", ["user_id", "created_at"], schema=SCHEMA)
    if op.get_bind().dialect.name == "postgresql":
        # The service connects as a non-owner role; FORCE makes the policy bind the owner too.
        for statement in (
            f"ALTER TABLE {SCHEMA}.notes ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {SCHEMA}.notes FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY owner ON {SCHEMA}.notes USING "
            "(user_id = NULLIF(current_setting('app.user_id', true), '')::uuid)",
        ):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("notes", schema=SCHEMA)
    op.drop_table("processed_events", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
