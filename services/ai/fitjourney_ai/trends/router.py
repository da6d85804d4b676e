"""GET /api/v1/ai/trends: real daily energy expenditure from intake and weight, and the goal date."""

from __future__ import annotations

from fastapi import APIRouter

from fitjourney_ai.shared import UserSessionDep
from fitjourney_ai.trends import service
from fitjourney_ai.trends.schemas import TrendRead

router = APIRouter(prefix="/api/v1/ai", tags=["trends"])


@router.get("/trends", response_model=TrendRead,
            summary="Your measured daily energy expenditure vs the formula, and when you reach your goal")
async def trends(caller: UserSessionDep) -> TrendRead:
    return await service.trend_for(caller.session, caller.user_id)
