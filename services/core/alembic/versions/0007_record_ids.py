"""`record_ids`: one row per id of a record in a partitioned table, so an id is unique across users.

Food logs, body metrics and habit check-ins are partitioned by time, and PostgreSQL can only enforce
uniqueness on (id, partition key): another user's client id with another timestamp was accepted, and
two users' rows shared an id. The write path now registers every such id here first (409 on a clash).
The table names no user. Existing ids are registered where the migrating role can see them (a
superuser sees all; an owner under FORCE ROW LEVEL SECURITY sees none, and those ids stay unregistered).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_core.ddl import is_postgres

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "core"
PARTITIONED = ("food_logs", "body_metrics", "habit_check_ins")


def upgrade() -> None:
    op.create_table(
        "record_ids",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("table_name", sa.String(64), nullable=False),
        schema=SCHEMA,
    )
    insert = "INSERT INTO" if is_postgres() else "INSERT OR IGNORE INTO"
    # (SQLite cannot parse ON CONFLICT after a bare SELECT; it has INSERT OR IGNORE instead.)
    on_conflict = " ON CONFLICT DO NOTHING" if is_postgres() else ""
    for table in PARTITIONED:
        op.execute(f"{insert} {SCHEMA}.record_ids (id, table_name) "  # noqa: S608 - fixed names
                   f"SELECT DISTINCT id, '{table}' FROM {SCHEMA}.{table}{on_conflict}")


def downgrade() -> None:
    op.drop_table("record_ids", schema=SCHEMA)
