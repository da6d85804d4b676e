"""Workouts keep the rest of the calorie estimate: net kcal (above resting) and the estimator's notes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workouts", schema="core") as batch:
        batch.add_column(sa.Column("calories_net", sa.Float(), nullable=True))
        batch.add_column(sa.Column("calories_notes", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("workouts", schema="core") as batch:
        batch.drop_column("calories_notes")
        batch.drop_column("calories_net")
