"""ai base: outbox, inbox, the read model of core's records, calorie estimates, photo recognitions; RLS.

The service connects as a non-owner role in production, and every user-owned table has a FORCEd
owner policy on `user_id`, as in core.

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

SCHEMA = "ai"
CURRENT_USER_SQL = "NULLIF(current_setting('app.user_id', true), '')::uuid"
USER_TABLES = ("profiles", "body_weights", "food_entries", "workout_entries", "habit_entries", "check_in_entries",
               "calorie_estimates", "photo_recognitions")


def _timestamps() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)]


def _mirrored(table: str, key: str, *columns: sa.Column) -> None:
    """A copy of a core record: owner, core's version, tombstone."""
    key_column = [] if key == "user_id" else [sa.Column(key, sa.Uuid(), nullable=False)]
    op.create_table(
        table, *key_column,
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
        *columns, *_timestamps(),
        sa.PrimaryKeyConstraint(key, name=f"pk_{table}"),
        schema=SCHEMA,
    )
    op.create_index(f"ix_{table}_user_id", table, ["user_id"], schema=SCHEMA)


def upgrade() -> None:
    create_event_tables(SCHEMA)

    _mirrored("profiles", "user_id",
              sa.Column("birth_date", sa.Date()), sa.Column("sex", sa.String(16)), sa.Column("height_cm", sa.Float()),
              sa.Column("activity_level", sa.String(16), nullable=False),
              sa.Column("goal", sa.String(16), nullable=False), sa.Column("target_weight_kg", sa.Float()),
              sa.Column("weekly_rate_kg", sa.Float()), sa.Column("time_zone", sa.String(64), nullable=False))
    _mirrored("body_weights", "id",
              sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
              sa.Column("local_date", sa.Date()), sa.Column("weight_kg", sa.Float()))
    _mirrored("food_entries", "id",
              sa.Column("eaten_at", sa.DateTime(timezone=True), nullable=False), sa.Column("local_date", sa.Date()),
              *(sa.Column(name, sa.Float(), nullable=False) for name in ("kcal", "protein_g", "carbs_g", "fat_g")))
    _mirrored("workout_entries", "id",
              sa.Column("started_at", sa.DateTime(timezone=True), nullable=False), sa.Column("local_date", sa.Date()),
              sa.Column("activity", sa.String(64), nullable=False), sa.Column("duration_min", sa.Float(), nullable=False),
              sa.Column("distance_km", sa.Float()), sa.Column("calories_burned", sa.Float()))
    _mirrored("habit_entries", "id",
              sa.Column("name", sa.String(200), nullable=False), sa.Column("schedule", sa.String(64), nullable=False),
              sa.Column("target_count", sa.Integer(), nullable=False))
    _mirrored("check_in_entries", "id",
              sa.Column("habit_id", sa.Uuid(), nullable=False), sa.Column("date", sa.Date(), nullable=False),
              sa.Column("count", sa.Integer(), nullable=False))
    op.create_index("ix_check_in_entries_habit_id", "check_in_entries", ["habit_id"], schema=SCHEMA)
    for table in ("body_weights", "food_entries", "workout_entries"):
        op.create_index(f"ix_{table}_user_date", table, ["user_id", "local_date"], schema=SCHEMA)

    op.create_table(
        "calorie_estimates",
        sa.Column("workout_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("estimate_revision", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in ("gross_kcal", "net_kcal")),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("met", sa.Float(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("weight_source", sa.String(16), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("workout_id", name="pk_calorie_estimates"),
        schema=SCHEMA,
    )
    op.create_index("ix_calorie_estimates_user_id", "calorie_estimates", ["user_id"], schema=SCHEMA)
    op.create_table(
        "photo_recognitions",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("model_version", sa.String(100)),
        sa.Column("candidates", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("job_id", name="pk_photo_recognitions"),
        schema=SCHEMA,
    )
    op.create_index("ix_photo_recognitions_user_id", "photo_recognitions", ["user_id"], schema=SCHEMA)

    if op.get_bind().dialect.name == "postgresql":
        for table in USER_TABLES:
            op.execute(f"ALTER TABLE {SCHEMA}.{table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {SCHEMA}.{table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY owner ON {SCHEMA}.{table} "
                       f"USING (user_id = {CURRENT_USER_SQL}) WITH CHECK (user_id = {CURRENT_USER_SQL})")


def downgrade() -> None:
    for table in (*USER_TABLES, "processed_events", "outbox"):
        op.drop_table(table, schema=SCHEMA)
