"""GET /api/v1/ai/insights?period=week|month: a short written summary of your period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fitjourney_ai.insights import service
from fitjourney_ai.insights.schemas import InsightRead
from fitjourney_ai.insights.summary import Period
from fitjourney_ai.shared import AiRuntimeDep, UserSessionDep

router = APIRouter(prefix="/api/v1/ai", tags=["insights"])


@router.get("/insights", response_model=InsightRead,
            summary="A short summary of your week or month, from aggregated numbers only")
async def insights(caller: UserSessionDep, runtime: AiRuntimeDep,
                   period: Annotated[Period, Query()] = "week") -> InsightRead:
    return await service.insight_for(caller.session, runtime, caller.user_id, period)
