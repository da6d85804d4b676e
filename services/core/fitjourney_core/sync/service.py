"""Reading the sync feed (the write path records the changes)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.errors import ValidationFailed
from fitjourney_core.sync.schemas import ChangeRead, ChangesPage
from fitjourney_core.writes import repository

# `seq` is a BIGINT: a larger cursor was never issued, and the driver would fail on it (a 500).
MAX_SEQ = 2**63 - 1


def parse_cursor(since: str | None) -> int:
    if since is None or since == "":
        return 0
    if not since.isascii() or not since.isdigit() or len(since) > 19 or int(since) > MAX_SEQ:
        raise ValidationFailed("since", "is not a cursor this API issued")
    return int(since)


async def changes_since(session: AsyncSession, user_id: uuid.UUID, since: str | None, limit: int) -> ChangesPage:
    start = parse_cursor(since)
    rows = list(await repository.changes_since(session, user_id, start, limit + 1))
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = rows[-1].seq if rows else start
    return ChangesPage(
        changes=[ChangeRead.model_validate(row) for row in rows],
        next_cursor=str(next_cursor),
        has_more=has_more,
    )
