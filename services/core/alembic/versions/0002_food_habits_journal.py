"""Foods (the catalogue is loaded by revision 0006), partitioned food logs, photo jobs, habits, partitioned
habit check-ins and the journal, each with row-level security.

`foods` is the one table whose rows are not all owned: catalogue rows have `user_id` NULL, and every
user may read them (but never write them); custom foods are visible to their owner only.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_core.ddl import CURRENT_USER_SQL, create_monthly_partitions, enable_owner_rls, is_postgres

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "core"
LIVE = sa.text("deleted_at IS NULL")
OWNED_TABLES = ("food_logs", "photo_jobs", "habits", "habit_check_ins", "journal_entries")


def _user_owned_columns(*, user_id_nullable: bool = False) -> list[sa.Column]:
    return [
        sa.Column("user_id", sa.Uuid(), nullable=user_id_nullable),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def _create_foods() -> sa.Table:
    foods = op.create_table(
        "foods",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40)),
        sa.Column("kcal_per_100g", sa.Float(), nullable=False),
        sa.Column("protein_g", sa.Float(), nullable=False),
        sa.Column("carbs_g", sa.Float(), nullable=False),
        sa.Column("fat_g", sa.Float(), nullable=False),
        sa.Column("fibre_g", sa.Float(), nullable=False, server_default=sa.text("0")),
        sa.Column("alcohol_g", sa.Float(), nullable=False, server_default=sa.text("0")),
        sa.Column("portions", sa.JSON(), nullable=False),
        sa.Column("source_id", sa.String(40)),
        *_user_owned_columns(user_id_nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_foods"),
        schema=SCHEMA,
    )
    op.create_index("ix_foods_user_id", "foods", ["user_id"], schema=SCHEMA)
    return foods


def upgrade() -> None:
    # The first, hand-typed catalogue was seeded here; revision 0006 imports USDA SR28 instead.
    _create_foods()

    op.create_table(
        "food_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("eaten_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("food_id", sa.Uuid()),
        sa.Column("food_name", sa.String(200), nullable=False),
        sa.Column("grams", sa.Float(), nullable=False),
        sa.Column("portion", sa.String(40)),
        sa.Column("quantity", sa.Float()),
        sa.Column("meal", sa.String(16), nullable=False),
        sa.Column("kcal", sa.Float(), nullable=False),
        sa.Column("protein_g", sa.Float(), nullable=False),
        sa.Column("carbs_g", sa.Float(), nullable=False),
        sa.Column("fat_g", sa.Float(), nullable=False),
        sa.Column("fibre_g", sa.Float(), nullable=False, server_default=sa.text("0")),
        sa.Column("source", sa.String(16), nullable=False, server_default="manual"),
        sa.Column("photo_job_id", sa.Uuid()),
        *_user_owned_columns(),
        # The partition key must be part of the primary key.
        sa.PrimaryKeyConstraint("id", "eaten_at", name="pk_food_logs"),
        schema=SCHEMA,
        postgresql_partition_by="RANGE (eaten_at)",
    )
    op.create_index("ix_food_logs_user_id", "food_logs", ["user_id"], schema=SCHEMA)
    op.create_index("ix_food_logs_user_id_eaten_at_live", "food_logs", ["user_id", "eaten_at"],
                    schema=SCHEMA, postgresql_where=LIVE, sqlite_where=LIVE)

    op.create_table(
        "photo_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("object_key", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("recognized_at", sa.DateTime(timezone=True)),
        *_user_owned_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_photo_jobs"),
        schema=SCHEMA,
    )
    op.create_index("ix_photo_jobs_user_id", "photo_jobs", ["user_id"], schema=SCHEMA)

    op.create_table(
        "habits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("schedule", sa.String(32), nullable=False, server_default="daily"),
        sa.Column("target_count", sa.Integer(), nullable=False, server_default=sa.text("1")),
        *_user_owned_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_habits"),
        schema=SCHEMA,
    )
    op.create_index("ix_habits_user_id", "habits", ["user_id"], schema=SCHEMA)

    op.create_table(
        "habit_check_ins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("habit_id", sa.Uuid(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False, server_default=sa.text("1")),
        *_user_owned_columns(),
        sa.PrimaryKeyConstraint("id", "date", name="pk_habit_check_ins"),
        sa.UniqueConstraint("habit_id", "date", name="uq_habit_check_ins_habit_id_date"),
        schema=SCHEMA,
        postgresql_partition_by="RANGE (date)",
    )
    op.create_index("ix_habit_check_ins_user_id", "habit_check_ins", ["user_id"], schema=SCHEMA)
    op.create_index("ix_habit_check_ins_user_id_date_live", "habit_check_ins", ["user_id", "date"],
                    schema=SCHEMA, postgresql_where=LIVE, sqlite_where=LIVE)

    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("mood", sa.Integer()),
        sa.Column("energy", sa.Integer()),
        sa.Column("text_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        *_user_owned_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_journal_entries"),
        sa.UniqueConstraint("user_id", "date", name="uq_journal_entries_user_id_date"),
        schema=SCHEMA,
    )
    op.create_index("ix_journal_entries_user_id", "journal_entries", ["user_id"], schema=SCHEMA)

    for table in OWNED_TABLES:
        enable_owner_rls(table)
    if is_postgres():
        _enable_foods_rls()
        create_monthly_partitions("food_logs")
        create_monthly_partitions("habit_check_ins")


def _enable_foods_rls() -> None:
    """Everyone reads the catalogue (user_id NULL); custom foods are read and written by their owner."""
    op.execute(f"ALTER TABLE {SCHEMA}.foods ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {SCHEMA}.foods FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY read_catalogue_or_own ON {SCHEMA}.foods FOR SELECT "
               f"USING (user_id IS NULL OR user_id = {CURRENT_USER_SQL})")
    op.execute(f"CREATE POLICY owner ON {SCHEMA}.foods "
               f"USING (user_id = {CURRENT_USER_SQL}) WITH CHECK (user_id = {CURRENT_USER_SQL})")


def downgrade() -> None:
    for table in ("journal_entries", "habit_check_ins", "habits", "photo_jobs", "food_logs", "foods"):
        op.drop_table(table, schema=SCHEMA)
