"""DDL the core migrations share: owner row-level security and monthly partitions (PostgreSQL only)."""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

SCHEMA = "core"
# NULLIF: once a transaction-local set_config has been used on a pooled connection, the setting reads
# as '' (not NULL) afterwards, and ''::uuid would raise instead of simply matching no row.
CURRENT_USER_SQL = "NULLIF(current_setting('app.user_id', true), '')::uuid"


def is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enable_owner_rls(table: str) -> None:
    """Only rows whose `user_id` is the transaction's `app.user_id` are visible or writable.

    FORCE makes the policy apply to the table owner too; the service role owns nothing anyway.
    """
    if not is_postgres():
        return
    op.execute(f"ALTER TABLE {SCHEMA}.{table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {SCHEMA}.{table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY owner ON {SCHEMA}.{table} "
        f"USING (user_id = {CURRENT_USER_SQL}) WITH CHECK (user_id = {CURRENT_USER_SQL})"
    )


def disable_owner_rls(table: str) -> None:
    if not is_postgres():
        return
    op.execute(f"DROP POLICY IF EXISTS owner ON {SCHEMA}.{table}")
    op.execute(f"ALTER TABLE {SCHEMA}.{table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {SCHEMA}.{table} DISABLE ROW LEVEL SECURITY")


# `core.ensure_monthly_partitions(parent, from_month, months_ahead)` creates the DEFAULT partition (so
# no insert ever fails for lack of a partition) and one partition per month from `from_month` for
# `months_ahead` more months. SECURITY DEFINER: the service role
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
        EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', parent_schema, default_name);__FORCE_DEFAULT__
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
        EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', parent_schema, part_name);__FORCE_PART__
        EXECUTE format('CREATE POLICY owner ON %I.%I USING (user_id = __OWNER_FILTER__) '
                       'WITH CHECK (user_id = __OWNER_FILTER__)', parent_schema, part_name);
        created := created + 1;
    END LOOP;
    RETURN created;
END
$fn$
"""
_FORCE_RLS = "\n        EXECUTE format('ALTER TABLE %I.%I FORCE ROW LEVEL SECURITY', parent_schema, {table});"


def ensure_monthly_partitions_sql(*, force_rls: bool) -> str:
    """`CREATE OR REPLACE FUNCTION core.ensure_monthly_partitions`; with `force_rls` (revision 0003 on)
    the partitions it creates FORCE row-level security like every other user-owned table."""
    sql = _ENSURE_MONTHLY_PARTITIONS_TEMPLATE
    sql = sql.replace("__FORCE_DEFAULT__", _FORCE_RLS.format(table="default_name") if force_rls else "")
    sql = sql.replace("__FORCE_PART__", _FORCE_RLS.format(table="part_name") if force_rls else "")
    # Inside the function's format() string literal the filter's quotes are doubled.
    return sql.replace("__OWNER_FILTER__", CURRENT_USER_SQL.replace("'", "''"))


def create_monthly_partitions(table: str, months_ahead: int = 3) -> None:
    """DEFAULT partition plus one per month from the current one (the app keeps creating them ahead)."""
    if not is_postgres():
        return
    op.execute(
        f"SELECT {SCHEMA}.ensure_monthly_partitions('{SCHEMA}.{table}'::regclass, current_date, {int(months_ahead)})"
    )


# Direct partitions of a core table (none for a plain table).
_PARTITIONS_SQL = """
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = to_regclass(:parent) ORDER BY 1
"""
_INVALID_INDEX_SQL = """
    SELECT 1 FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'core' AND c.relname = :name AND NOT x.indisvalid AND c.relkind = 'i'
"""


def create_index_concurrently(table: str, name: str, definition: str, partition_suffix: str) -> None:
    """`CREATE INDEX <name> ON core.<table> <definition>` without blocking writes (PostgreSQL only).

    CONCURRENTLY runs outside the migration's transaction. A partitioned table cannot be indexed
    concurrently as a whole: its index is created ON ONLY the parent (invalid, instant), each partition
    gets `<partition>_<partition_suffix>` concurrently and is attached; the parent's index turns valid
    when every partition has one (partitions created later get theirs from the parent). Re-runnable: an
    index an interrupted build left invalid is dropped and built again."""
    if not is_postgres():
        return
    bind = op.get_bind()

    def build(index: str, relation: str) -> None:
        if bind.execute(text(_INVALID_INDEX_SQL), {"name": index}).first():
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {SCHEMA}.{index}")
        op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON {SCHEMA}.{relation} {definition}")

    with op.get_context().autocommit_block():
        partitions = list(bind.execute(text(_PARTITIONS_SQL), {"parent": f"{SCHEMA}.{table}"}).scalars())
        if not partitions:
            build(name, table)
            return
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON ONLY {SCHEMA}.{table} {definition}")
        for partition in partitions:
            index = f"{partition}_{partition_suffix}"
            build(index, partition)
            op.execute(f"ALTER INDEX {SCHEMA}.{name} ATTACH PARTITION {SCHEMA}.{index}")
