"""The shared food catalogue moves out of `foods` into `food_catalogue`, a table without per-user rows, so
that its full-text index serves the service's role; `foods` keeps users' own foods only.

Why: under row-level security the planner applies a table's policy before any operator that is not
leakproof, and never uses such an operator as an index condition; full-text `@@` is not leakproof, so on
`foods` (policy: catalogue rows or your own) the GIN index never served the service's role and every search
matched all 8,800 rows' vectors (revision 0011). The options weighed:

- Marking `@@` (or a wrapper) LEAKPROOF needs a superuser, changes the server for every database, and is
  not true of it (its errors show the values it was given).
- A SECURITY DEFINER search function: the owner is bound by FORCE ROW LEVEL SECURITY too, so it would need a
  BYPASSRLS owner, which the role checks (fitjourney_common.db.role_check, deploy/tests/test_migrate_roles)
  refuse on purpose; and a function that decides visibility itself is one more place to get it wrong.
- Catalogue rows in a table of their own (this revision): every user may read every row, so its one policy
  is `USING (true)`, which adds no security condition, and the planner uses the GIN index (the service's
  role searching "chicken": a scan of 8,800 rows, ~4 ms, becomes a bitmap index scan of the 481 matches,
  ~0.6 ms). Row-level security stays forced on it with no policy for writes, so the service's role can read
  but never write the catalogue; only the import (as the owner) writes. `foods` keeps the owner policy only,
  so a user still sees nobody else's foods; a search reads both tables in one statement (UNION ALL) and
  orders and pages the union exactly as before.

Every row is moved (ids, versions, timestamps and retired foods included); downgrade moves them back.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_core.ddl import CURRENT_USER_SQL, SCHEMA, is_postgres

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUTRIENTS = (
    "fibre_g", "alcohol_g", "sugars_g", "saturated_fat_g", "monounsaturated_fat_g", "polyunsaturated_fat_g",
    "cholesterol_mg", "sodium_mg", "potassium_mg", "calcium_mg", "iron_mg", "vitamin_c_mg", "water_g",
)
# Every column both tables have (all of `foods` but user_id and the generated search_vector).
COLUMNS = (
    "id", "name", "category", "ndb_no", "kcal_per_100g", "protein_g", "carbs_g", "fat_g", *NUTRIENTS, "portions",
    "source_id", "search_text", "search_head", "search_prior", "is_water", "created_at", "updated_at", "version",
    "deleted_at",
)


def _table(name: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(column) for column in (*COLUMNS, "user_id")), schema=SCHEMA)


FOODS, CATALOGUE = _table("foods"), _table("food_catalogue")
SEARCH_VECTOR = "tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"


def _create_catalogue_table() -> None:
    op.create_table(
        "food_catalogue",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40)),
        sa.Column("ndb_no", sa.String(5)),
        *(sa.Column(name, sa.Float(), nullable=False) for name in ("kcal_per_100g", "protein_g", "carbs_g", "fat_g")),
        *(sa.Column(name, sa.Float()) for name in NUTRIENTS),
        sa.Column("portions", sa.JSON(), nullable=False),
        sa.Column("source_id", sa.String(40)),
        sa.Column("search_text", sa.String(400), nullable=False, server_default=" "),
        sa.Column("search_head", sa.String(200), nullable=False, server_default=" "),
        sa.Column("search_prior", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("is_water", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_food_catalogue"),
        schema=SCHEMA,
    )
    op.create_index("uq_food_catalogue_ndb_no", "food_catalogue", ["ndb_no"], unique=True, schema=SCHEMA)


def _has_trigrams() -> bool:
    return op.get_bind().execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first() is not None


def _search_indexes(table: str) -> None:
    """What revisions 0006 and 0011 made on `foods`: full text, trigrams (typo fallback), water foods."""
    op.execute(f"CREATE INDEX ix_{table}_search_vector ON {SCHEMA}.{table} USING gin (search_vector)")
    if _has_trigrams():
        op.execute(f"CREATE INDEX ix_{table}_search_trgm ON {SCHEMA}.{table} USING gin (search_text gin_trgm_ops)")
    op.execute(f"CREATE INDEX ix_{table}_water ON {SCHEMA}.{table} (id) WHERE is_water")


def upgrade() -> None:
    _create_catalogue_table()
    if is_postgres():
        op.execute(f"ALTER TABLE {SCHEMA}.food_catalogue ADD COLUMN search_vector {SEARCH_VECTOR}")
        op.execute(f"ALTER TABLE {SCHEMA}.foods NO FORCE ROW LEVEL SECURITY")  # the owner moves every row
    catalogue_rows = FOODS.c.user_id.is_(None)
    op.execute(CATALOGUE.insert().from_select(COLUMNS, sa.select(*(FOODS.c[c] for c in COLUMNS)).where(catalogue_rows)))
    op.execute(FOODS.delete().where(catalogue_rows))
    op.drop_index("uq_foods_ndb_no", table_name="foods", schema=SCHEMA)
    with op.batch_alter_table("foods", schema=SCHEMA) as batch:
        batch.alter_column("user_id", existing_type=sa.Uuid(), nullable=False)
    if not is_postgres():
        return
    # Searches of `foods` are bounded by the owner policy (ix_foods_user_id): these served nobody.
    for index in ("ix_foods_search_vector", "ix_foods_search_trgm", "ix_foods_water"):
        op.execute(f"DROP INDEX IF EXISTS {SCHEMA}.{index}")
    op.execute(f"DROP POLICY read_catalogue_or_own ON {SCHEMA}.foods")
    op.execute(f"ALTER TABLE {SCHEMA}.foods FORCE ROW LEVEL SECURITY")
    _search_indexes("food_catalogue")
    op.execute(f"ALTER TABLE {SCHEMA}.food_catalogue ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {SCHEMA}.food_catalogue FORCE ROW LEVEL SECURITY")
    # Read by everyone, written by nobody: no policy permits INSERT, UPDATE or DELETE.
    op.execute(f"CREATE POLICY read_all ON {SCHEMA}.food_catalogue FOR SELECT USING (true)")
    op.execute(f"ANALYZE {SCHEMA}.food_catalogue")


def downgrade() -> None:
    if is_postgres():
        op.execute(f"ALTER TABLE {SCHEMA}.foods NO FORCE ROW LEVEL SECURITY")
    with op.batch_alter_table("foods", schema=SCHEMA) as batch:
        batch.alter_column("user_id", existing_type=sa.Uuid(), nullable=True)
    op.execute(FOODS.insert().from_select(COLUMNS, sa.select(*(CATALOGUE.c[c] for c in COLUMNS))))
    op.create_index("uq_foods_ndb_no", "foods", ["ndb_no"], unique=True, schema=SCHEMA)
    op.drop_table("food_catalogue", schema=SCHEMA)
    if not is_postgres():
        return
    _search_indexes("foods")
    op.execute(f"CREATE POLICY read_catalogue_or_own ON {SCHEMA}.foods FOR SELECT "
               f"USING (user_id IS NULL OR user_id = {CURRENT_USER_SQL})")
    op.execute(f"ALTER TABLE {SCHEMA}.foods FORCE ROW LEVEL SECURITY")
