"""GET /api/v1/ai/recommendations: concrete suggestions from your data, each with its numbers and why."""

from __future__ import annotations

from fastapi import APIRouter

from fitjourney_ai.recommendations import service
from fitjourney_ai.recommendations.schemas import RecommendationList
from fitjourney_ai.shared import UserSessionDep

router = APIRouter(prefix="/api/v1/ai", tags=["recommendations"])


@router.get("/recommendations", response_model=RecommendationList,
            summary="Calorie target, protein, training balance and habit streak suggestions")
async def recommendations(caller: UserSessionDep) -> RecommendationList:
    return await service.recommendations_for(caller.session, caller.user_id)
