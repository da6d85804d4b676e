"""Workouts remember which calorie-estimate request is current (`estimate_revision`).

An edit that makes the estimate stale bumps it; `workout.calories_estimated` answers carry the revision
they answer, and core ignores one for an older revision when events arrive out of order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workouts", schema="core") as batch:
        batch.add_column(sa.Column("estimate_revision", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("workouts", schema="core") as batch:
        batch.drop_column("estimate_revision")
