"""The food catalogue becomes USDA SR28: nutrient and search columns on `foods`, search indexes, and the
import of all 8,790 SR28 foods with their 15,438 household portions.

The rows of the first, hand-typed catalogue are retired (soft-deleted) by the import, except the two kept
by name in `data/foods-supplement.json` (Water, Sparkling water), whose ids stay. Food logs keep their own
name and nutrients, so no log changes. Portion names of SR28 run to 80 characters: `food_logs.portion`
widens to match.

On PostgreSQL the name search uses full text over `search_text` (GIN) and, for typos, trigram similarity
(pg_trgm, GIN); when the migrating role may not create the extension, search simply has no typo fallback.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitjourney_core.ddl import is_postgres
from fitjourney_core.foods.catalogue import SHARED_TABLE, import_catalogue

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "core"
NEW_NUTRIENTS = (
    "sugars_g", "saturated_fat_g", "monounsaturated_fat_g", "polyunsaturated_fat_g", "cholesterol_mg",
    "sodium_mg", "potassium_mg", "calcium_mg", "iron_mg", "vitamin_c_mg", "water_g",
)
PORTION_NAME_LENGTH = 120


def _backfill_custom_food_search(bind: sa.engine.Connection) -> None:
    """Custom foods created before this revision get their search words (the import does the catalogue)."""
    from fitjourney_core.foods.search_terms import search_head, search_text

    foods = sa.table("foods", sa.column("id", sa.Uuid()), sa.column("name"), sa.column("user_id", sa.Uuid()),
                     sa.column("search_text"), sa.column("search_head"), sa.column("search_prior"), schema=SCHEMA)
    custom = bind.execute(sa.select(foods.c.id, foods.c.name).where(foods.c.user_id.is_not(None))).all()
    if custom:
        bind.execute(
            foods.update().where(foods.c.id == sa.bindparam("f_id")).values(
                search_text=sa.bindparam("f_text"), search_head=sa.bindparam("f_head"), search_prior=-5),
            [{"f_id": row.id, "f_text": search_text(row.name), "f_head": search_head(row.name)} for row in custom],
        )


def _create_trigram_index() -> None:
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        savepoint.rollback()  # no right to create it: search runs without the typo fallback
        return
    savepoint.commit()
    op.execute(f"CREATE INDEX ix_foods_search_trgm ON {SCHEMA}.foods USING gin (search_text gin_trgm_ops)")


def upgrade() -> None:
    with op.batch_alter_table("foods", schema=SCHEMA) as batch:
        batch.add_column(sa.Column("ndb_no", sa.String(5)))
        for name in NEW_NUTRIENTS:
            batch.add_column(sa.Column(name, sa.Float()))
        batch.add_column(sa.Column("search_text", sa.String(400), nullable=False, server_default=" "))
        batch.add_column(sa.Column("search_head", sa.String(200), nullable=False, server_default=" "))
        batch.add_column(sa.Column("search_prior", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("is_water", sa.Boolean(), nullable=False, server_default=sa.false()))
        # Empty in SR28 means "not known", which zero is not.
        batch.alter_column("fibre_g", existing_type=sa.Float(), nullable=True, server_default=None)
        batch.alter_column("alcohol_g", existing_type=sa.Float(), nullable=True, server_default=None)
    op.create_index("uq_foods_ndb_no", "foods", ["ndb_no"], unique=True, schema=SCHEMA)
    with op.batch_alter_table("food_logs", schema=SCHEMA) as batch:
        batch.alter_column("portion", existing_type=sa.String(40), type_=sa.String(PORTION_NAME_LENGTH))

    bind = op.get_bind()
    if is_postgres():
        op.execute(f"ALTER TABLE {SCHEMA}.foods NO FORCE ROW LEVEL SECURITY")
    _backfill_custom_food_search(bind)
    import_catalogue(bind, SHARED_TABLE)  # lifts FORCE for its own work and sets it again
    if is_postgres():
        op.execute(f"ALTER TABLE {SCHEMA}.foods FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE INDEX ix_foods_search_fts ON {SCHEMA}.foods "
                   "USING gin (to_tsvector('simple'::regconfig, search_text))")
        _create_trigram_index()


def downgrade() -> None:
    if is_postgres():
        op.execute(f"DROP INDEX IF EXISTS {SCHEMA}.ix_foods_search_trgm")
        op.execute(f"DROP INDEX IF EXISTS {SCHEMA}.ix_foods_search_fts")
    op.drop_index("uq_foods_ndb_no", table_name="foods", schema=SCHEMA)
    with op.batch_alter_table("foods", schema=SCHEMA) as batch:
        for name in ("ndb_no", *NEW_NUTRIENTS, "search_text", "search_head", "search_prior", "is_water"):
            batch.drop_column(name)
