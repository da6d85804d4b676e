"""Food search keeps its words as a stored `tsvector`, and water foods get an index (PostgreSQL only).

Under row-level security the planner evaluates the `foods` policy before any operator that is not
leakproof, and full-text `@@` is not: the GIN index on `to_tsvector(search_text)` could never serve the
service's role, so every search built the vector of all 8,800 rows (about 100 ms). A stored vector
leaves a cheap match per row (about 5 ms). Its GIN index serves roles without row-level security.

The daily summary counts water by `food_id IN (foods WHERE is_water)`: a plain boolean column is
leakproof, so a partial index finds the 16 water foods instead of a scan of every food per summary.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

from fitjourney_core.ddl import SCHEMA, is_postgres

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if not is_postgres():
        return  # SQLite (make dev) matches words with LIKE
    op.execute(f"ALTER TABLE {SCHEMA}.foods ADD COLUMN search_vector tsvector "
               "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED")
    op.execute(f"DROP INDEX IF EXISTS {SCHEMA}.ix_foods_search_fts")
    op.execute(f"CREATE INDEX ix_foods_search_vector ON {SCHEMA}.foods USING gin (search_vector)")
    op.execute(f"CREATE INDEX ix_foods_water ON {SCHEMA}.foods (id) WHERE is_water")


def downgrade() -> None:
    if not is_postgres():
        return
    op.execute(f"DROP INDEX IF EXISTS {SCHEMA}.ix_foods_water")
    op.execute(f"DROP INDEX IF EXISTS {SCHEMA}.ix_foods_search_vector")
    op.execute(f"ALTER TABLE {SCHEMA}.foods DROP COLUMN search_vector")
    op.execute(f"CREATE INDEX ix_foods_search_fts ON {SCHEMA}.foods "
               "USING gin (to_tsvector('simple'::regconfig, search_text))")
