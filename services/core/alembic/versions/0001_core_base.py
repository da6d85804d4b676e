"""Core base: outbox, inbox, changes feed, profiles, workouts, partitioned body metrics, RLS.

Production runs migrations as the schema owner and the service as a separate non-owner role
(NOSUPERUSER NOBYPASSRLS, DML grants only), so row-level security always applies to the service;
the policies are FORCEd as well, so even the owner's queries are filtered. GRANTs are not part of
the migrations: they belong to the environment (`fitjourney_common.db.roles`, run by `make migrate`,
compose and Helm, creates the roles; tests call `fitjourney_common.testing.postgres.create_app_role`).

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_common.db.migrations import create_event_tables
from fitjourney_core.ddl import create_monthly_partitions, enable_owner_rls, ensure_monthly_partitions_sql, is_postgres

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "core"
LIVE = sa.text("deleted_at IS NULL")

# The partition function as this revision created it (0003 re-creates it so new partitions FORCE RLS too).
ENSURE_MONTHLY_PARTITIONS = ensure_monthly_partitions_sql(force_rls=False)


def _user_owned_columns() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    # Infrastructure tables: written without a user (relay, consumers before binding), so no RLS.
    create_event_tables(SCHEMA)

    seq_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "changes",
        # BIGSERIAL on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
        sa.Column("seq", seq_type, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("resource", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_changes"),
        schema=SCHEMA,
    )
    op.create_index("ix_changes_user_id_seq", "changes", ["user_id", "seq"], schema=SCHEMA)

    op.create_table(
        "profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("display_name", sa.String(100)),
        sa.Column("birth_date", sa.Date()),
        sa.Column("sex", sa.String(8)),
        sa.Column("height_cm", sa.Float()),
        sa.Column("activity_level", sa.String(16), nullable=False, server_default="sedentary"),
        sa.Column("goal", sa.String(16), nullable=False, server_default="maintain"),
        sa.Column("target_weight_kg", sa.Float()),
        sa.Column("weekly_rate_kg", sa.Float()),
        sa.Column("units", sa.String(8), nullable=False, server_default="metric"),
        sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("avatar_key", sa.String(255)),
        *_user_owned_columns(),
        sa.PrimaryKeyConstraint("user_id", name="pk_profiles"),
        schema=SCHEMA,
    )

    op.create_table(
        "workouts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("activity", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_min", sa.Float(), nullable=False),
        sa.Column("distance_km", sa.Float()),
        sa.Column("avg_heart_rate", sa.Integer()),
        sa.Column("perceived_effort", sa.Integer()),
        sa.Column("notes", sa.Text()),
        sa.Column("exercises", sa.JSON(), nullable=False),
        sa.Column("calories_burned", sa.Float()),
        sa.Column("calories_status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("calories_method", sa.String(64)),
        sa.Column("calories_met", sa.Float()),
        *_user_owned_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_workouts"),
        schema=SCHEMA,
    )
    op.create_index("ix_workouts_user_id", "workouts", ["user_id"], schema=SCHEMA)
    op.create_index("ix_workouts_user_id_started_at_live", "workouts", ["user_id", "started_at"],
                    schema=SCHEMA, postgresql_where=LIVE, sqlite_where=LIVE)

    op.create_table(
        "body_metrics",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("weight_kg", sa.Float()),
        sa.Column("body_fat_pct", sa.Float()),
        sa.Column("waist_cm", sa.Float()),
        sa.Column("hip_cm", sa.Float()),
        sa.Column("chest_cm", sa.Float()),
        sa.Column("resting_hr", sa.Integer()),
        *_user_owned_columns(),
        # The partition key must be part of the primary key.
        sa.PrimaryKeyConstraint("id", "measured_at", name="pk_body_metrics"),
        schema=SCHEMA,
        postgresql_partition_by="RANGE (measured_at)",
    )
    op.create_index("ix_body_metrics_user_id", "body_metrics", ["user_id"], schema=SCHEMA)
    op.create_index("ix_body_metrics_user_id_measured_at_live", "body_metrics", ["user_id", "measured_at"],
                    schema=SCHEMA, postgresql_where=LIVE, sqlite_where=LIVE)

    for table in ("changes", "profiles", "workouts", "body_metrics"):
        enable_owner_rls(table)

    if is_postgres():
        op.execute(ENSURE_MONTHLY_PARTITIONS)
        create_monthly_partitions("body_metrics")


def downgrade() -> None:
    if is_postgres():
        # Partitions go with their parent; the function after its last user.
        op.drop_table("body_metrics", schema=SCHEMA)
        op.execute("DROP FUNCTION IF EXISTS core.ensure_monthly_partitions(regclass, date, integer)")
    else:
        op.drop_table("body_metrics", schema=SCHEMA)
    for table in ("workouts", "profiles", "changes", "processed_events", "outbox"):
        op.drop_table(table, schema=SCHEMA)
