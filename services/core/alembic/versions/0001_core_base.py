"""Core base: outbox, inbox, changes feed, profiles, workouts, partitioned body metrics, RLS.

Production runs migrations as the schema owner and the service as a separate non-owner role
(NOSUPERUSER NOBYPASSRLS, DML grants only), so row-level security always applies to the service;
the policies are FORCEd as well, so even the owner's queries are filtered. GRANTs are not part of
the migrations: they belong to the environment (Helm/Terraform create the roles; tests call
`fitjourney_common.testing.postgres.create_app_role` after migrating).

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_core.ddl import CURRENT_USER_SQL, create_monthly_partitions, enable_owner_rls, is_postgres

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "core"
LIVE = sa.text("deleted_at IS NULL")

# Creates the DEFAULT partition (so no insert ever fails for lack of a partition) and one partition
# per month from `from_month` for `months_ahead` more months. SECURITY DEFINER: the service role
# owns no table, yet the app calls this at start-up; it only ever touches range-partitioned core
# tables. Rows that landed in DEFAULT for a month that now gets its own partition are moved into it
# (PostgreSQL would refuse the partition otherwise). Partitions get the owner policy too, so reading
# a partition directly is filtered like reading the parent.
_ENSURE_MONTHLY_PARTITIONS_TEMPLATE = """
CREATE OR REPLACE FUNCTION core.ensure_monthly_partitions(parent regclass, from_month date, months_ahead integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET "TimeZone" = 'UTC'
AS $fn$
DECLARE
    parent_schema text;
    parent_name text;
    key_column text;
    default_name text;
    part_name text;
    month_start date;
    month_end date;
    has_rows boolean;
    created integer := 0;
    i integer;
BEGIN
    SELECT n.nspname, c.relname INTO parent_schema, parent_name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = parent;
    IF parent_schema IS DISTINCT FROM 'core' THEN
        RAISE EXCEPTION 'ensure_monthly_partitions: % is not a core table', parent;
    END IF;
    SELECT a.attname INTO key_column
      FROM pg_partitioned_table p
      JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
     WHERE p.partrelid = parent AND p.partstrat = 'r';
    IF key_column IS NULL THEN
        RAISE EXCEPTION 'ensure_monthly_partitions: % is not range-partitioned', parent;
    END IF;
    IF months_ahead < 0 OR months_ahead > 120 THEN
        RAISE EXCEPTION 'ensure_monthly_partitions: months_ahead must be within 0..120';
    END IF;
    -- Replicas starting together must not race to create the same partition.
    PERFORM pg_advisory_xact_lock(hashtextextended('core.partitions:' || parent_name, 0));

    default_name := parent_name || '_default';
    IF to_regclass(format('%I.%I', parent_schema, default_name)) IS NULL THEN
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I DEFAULT',
                       parent_schema, default_name, parent_schema, parent_name);
        EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', parent_schema, default_name);
        EXECUTE format('CREATE POLICY owner ON %I.%I USING (user_id = __OWNER_FILTER__) '
                       'WITH CHECK (user_id = __OWNER_FILTER__)', parent_schema, default_name);
        created := created + 1;
    END IF;

    FOR i IN 0..months_ahead LOOP
        month_start := (date_trunc('month', from_month::timestamp) + make_interval(months => i))::date;
        month_end := (month_start + interval '1 month')::date;
        part_name := parent_name || '_p' || to_char(month_start, 'YYYYMM');
        CONTINUE WHEN to_regclass(format('%I.%I', parent_schema, part_name)) IS NOT NULL;

        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %I >= %L AND %I < %L)',
                       parent_schema, default_name, key_column, month_start, key_column, month_end)
           INTO has_rows;
        IF has_rows THEN
            EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                           parent_schema, part_name, parent_schema, parent_name);
            EXECUTE format('WITH moved AS (DELETE FROM %I.%I WHERE %I >= %L AND %I < %L RETURNING *) '
                           'INSERT INTO %I.%I SELECT * FROM moved',
                           parent_schema, default_name, key_column, month_start, key_column, month_end,
                           parent_schema, part_name);
            EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                           parent_schema, parent_name, parent_schema, part_name, month_start, month_end);
        ELSE
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)',
                           parent_schema, part_name, parent_schema, parent_name, month_start, month_end);
        END IF;
        EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', parent_schema, part_name);
        EXECUTE format('CREATE POLICY owner ON %I.%I USING (user_id = __OWNER_FILTER__) '
                       'WITH CHECK (user_id = __OWNER_FILTER__)', parent_schema, part_name);
        created := created + 1;
    END LOOP;
    RETURN created;
END
$fn$
"""
# Inside the function's format() string literal the filter's quotes are doubled.
ENSURE_MONTHLY_PARTITIONS = _ENSURE_MONTHLY_PARTITIONS_TEMPLATE.replace(
    "__OWNER_FILTER__", CURRENT_USER_SQL.replace("'", "''"))


def _user_owned_columns() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    # Infrastructure tables: written without a user (relay, consumers before binding), so no RLS.
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("trace_headers", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        schema=SCHEMA,
    )
    op.create_index("ix_outbox_occurred_at", "outbox", ["occurred_at"], schema=SCHEMA)
    op.create_index("ix_outbox_unpublished", "outbox", ["occurred_at"], schema=SCHEMA,
                    postgresql_where=sa.text("published_at IS NULL"),
                    sqlite_where=sa.text("published_at IS NULL"))

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "consumer", name="pk_processed_events"),
        schema=SCHEMA,
    )

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
