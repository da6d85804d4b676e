"""`sessions.authenticated_at`: when a credential was last checked for the session (its `auth_time`).

Access tokens carry it as `auth_time`, refreshing keeps it, and `POST /reauthenticate` moves it to now:
irreversible operations (erasing the account, changing email or password) want it within minutes.
Nullable: a session from before this revision counts from its `created_at` (its sign-in).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "auth"


def upgrade() -> None:
    op.add_column("sessions", sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=True),
                  schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("sessions", "authenticated_at", schema=SCHEMA)
