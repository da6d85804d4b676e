"""Email verification: `users.activated_at` and `email_verification_tokens`.

Password sign-in needs an activated account (its owner proved the email once: the verification link, a
reset link, or a provider's verified email), so registering someone else's address and signing in tells
nothing. Every account that exists before this revision counts as activated at its creation: nobody who
could sign in before is locked out. Tokens are kept only as their SHA-256, like reset tokens.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "auth"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("users", sa.Column("activated_at", TZ, nullable=True), schema=SCHEMA)
    op.execute("UPDATE auth.users SET activated_at = created_at")
    op.create_table(
        "email_verification_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_email_verification_tokens"),
        sa.ForeignKeyConstraint(["user_id"], [f"{SCHEMA}.users.id"],
                                name="fk_email_verification_tokens_user_id_users", ondelete="CASCADE"),
        schema=SCHEMA,
    )
    op.create_index("ix_email_verification_tokens_user_id", "email_verification_tokens", ["user_id"],
                    schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_email_verification_tokens_user_id", table_name="email_verification_tokens", schema=SCHEMA)
    op.drop_table("email_verification_tokens", schema=SCHEMA)
    op.drop_column("users", "activated_at", schema=SCHEMA)
