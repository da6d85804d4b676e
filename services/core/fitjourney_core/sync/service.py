"""Recording changes for the sync feed, and reading the feed."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.errors import ValidationFailed
from fitjourney_core.sync import repository
from fitjourney_core.sync.schemas import ChangeRead, ChangesPage

RESOURCES = frozenset(
    {"workout", "food_log", "habit", "check_in", "journal", "body_metric", "profile", "food", "photo_job"}
)
Op = Literal["upsert", "delete"]
# `seq` is a BIGINT: a larger cursor was never issued, and the driver would fail on it (a 500).
MAX_SEQ = 2**63 - 1


async def record_change(
    session: AsyncSession,
    user_id: uuid.UUID,
    resource: str,
    resource_id: uuid.UUID,
    op: Op,
    payload: dict[str, Any] | None,
    version: int,
) -> None:
    """Append a change in the caller's transaction: it is visible exactly when the write commits.

    `payload` is the resource's Read representation (JSON-ready: `model_dump(mode="json")`) after the
    write, or None for a tombstone (`op="delete"`).
    """
    if resource not in RESOURCES:
        raise ValueError(f"unknown sync resource {resource!r}")
    if op not in ("upsert", "delete"):
        raise ValueError(f"unknown sync op {op!r}")
    await repository.lock_user_changes(session, user_id)
    repository.add_change(
        session, user_id=user_id, resource=resource, resource_id=resource_id, op=op, version=version,
        changed_at=utcnow(), payload=None if op == "delete" else payload,
    )


def parse_cursor(since: str | None) -> int:
    if since is None or since == "":
        return 0
    if not since.isascii() or not since.isdigit() or len(since) > 19 or int(since) > MAX_SEQ:
        raise ValidationFailed("since", "is not a cursor this API issued")
    return int(since)


async def changes_since(session: AsyncSession, user_id: uuid.UUID, since: str | None, limit: int) -> ChangesPage:
    start = parse_cursor(since)
    rows = list(await repository.list_since(session, user_id, start, limit + 1))
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = rows[-1].seq if rows else start
    return ChangesPage(
        changes=[ChangeRead.model_validate(row) for row in rows],
        next_cursor=str(next_cursor),
        has_more=has_more,
    )
