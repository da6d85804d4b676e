"""The outbox NOTIFYs its relays when a transaction that added events commits, so a relay in another process
(the worker beside the API) publishes at once instead of at its next poll.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from fitjourney_common.db.migrations import outbox_notify

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    outbox_notify("ai")


def downgrade() -> None:
    outbox_notify("ai", drop=True)
