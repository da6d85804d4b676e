"""GET /api/v1/sync: the caller's changes since a cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fitjourney_core.shared import UserSessionDep
from fitjourney_core.sync import service
from fitjourney_core.sync.schemas import ChangesPage

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])


@router.get("", response_model=ChangesPage, summary="Changes to my resources since a cursor")
async def get_changes(
    user: UserSessionDep,
    since: Annotated[str | None, Query(max_length=32, description="next_cursor of the previous call")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> ChangesPage:
    return await service.changes_since(user.session, user.user_id, since, limit)
