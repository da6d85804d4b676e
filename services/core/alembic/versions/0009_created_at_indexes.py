"""Indexes on `created_at` (with `user_id`) of the tables whose writes count as a user's activity.

Analytics' business metrics count, for a range of days, who wrote a food log, workout, body metric,
check-in or journal entry (by `created_at`). Without these indexes each request reads every row
those tables ever had; with them, only the rows of the range (an index-only scan: `user_id` is
included). Built concurrently, so applying this to a live database does not block writes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

from fitjourney_core.ddl import SCHEMA, create_index_concurrently, is_postgres

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("food_logs", "workouts", "body_metrics", "habit_check_ins", "journal_entries")


def upgrade() -> None:
    for table in TABLES:
        if is_postgres():
            create_index_concurrently(table, f"ix_{table}_created_at", "(created_at) INCLUDE (user_id)",
                                      "created_at_idx")
        else:
            op.create_index(f"ix_{table}_created_at", table, ["created_at", "user_id"], schema=SCHEMA)


def downgrade() -> None:
    for table in TABLES:
        # Dropping a partitioned table's index drops its partitions' too.
        op.drop_index(f"ix_{table}_created_at", table_name=table, schema=SCHEMA)
