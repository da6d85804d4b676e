"""GET /api/v1/summary/daily."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fitjourney_core.schemas import PastDate
from fitjourney_core.shared import UserSessionDep
from fitjourney_core.summary import service
from fitjourney_core.summary.schemas import DailySummary

router = APIRouter(prefix="/api/v1/summary", tags=["summary"])


@router.get("/daily", response_model=DailySummary, summary="One day: energy in/out vs target, macros, water, habits")
async def daily_summary(
    user: UserSessionDep,
    day: Annotated[PastDate | None, Query(alias="date", description="Local date; default today")] = None,
) -> DailySummary:
    return await service.daily_summary(user.session, user.runtime.redis, user.user_id, day,
                                       user.runtime.settings.summary_cache_ttl_seconds)
