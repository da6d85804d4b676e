"""Analytics base: outbox, inbox, reports, registrations.

No RLS here: reports are always read by id and owner together, and the service owns nothing else
personal. Core's data is read, never copied, through the read-only role (see reader_role.py).

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

SCHEMA = "analytics"


def upgrade() -> None:
    create_event_tables(SCHEMA)
    op.create_table(
        "reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("object_key", sa.String(255), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        schema=SCHEMA,
    )
    op.create_index("ix_reports_user_created", "reports", ["user_id", "created_at"], schema=SCHEMA)
    op.create_table(
        "registrations",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_registrations"),
        schema=SCHEMA,
    )
    op.create_index("ix_registrations_registered_at", "registrations", ["registered_at"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("registrations", "reports", "processed_events", "outbox"):
        op.drop_table(table, schema=SCHEMA)
