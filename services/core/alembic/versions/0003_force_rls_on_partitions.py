"""Partitions FORCE row-level security like every other user-owned table.

Revision 0001's partition function ENABLEd RLS on the partitions it created but did not FORCE it, so
the partitions' owner (the migration role) could read them directly without the owner policy. The
function is re-created to FORCE it on new partitions, and every existing partition gets it now.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_core.ddl import ensure_monthly_partitions_sql, is_postgres

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every partition of a partitioned table in schema core (the DEFAULT ones and the monthly ones).
CORE_PARTITIONS_SQL = sa.text("""
    SELECT format('%I.%I', n.nspname, c.relname)
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_partitioned_table p ON p.partrelid = i.inhparent
     WHERE n.nspname = 'core'
     ORDER BY 1
""")


def _set_force_on_partitions(force: bool) -> None:
    clause = "FORCE" if force else "NO FORCE"
    for partition in op.get_bind().execute(CORE_PARTITIONS_SQL).scalars():
        op.execute(f"ALTER TABLE {partition} {clause} ROW LEVEL SECURITY")


def upgrade() -> None:
    if not is_postgres():
        return
    op.execute(ensure_monthly_partitions_sql(force_rls=True))
    _set_force_on_partitions(True)


def downgrade() -> None:
    if not is_postgres():
        return
    op.execute(ensure_monthly_partitions_sql(force_rls=False))
    _set_force_on_partitions(False)
