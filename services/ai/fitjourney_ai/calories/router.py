"""POST /api/v1/ai/calorie-estimate: the workout-calorie computation, answered synchronously."""

from __future__ import annotations

from fastapi import APIRouter

from fitjourney_ai.calories import service
from fitjourney_ai.calories.schemas import CalorieEstimateRead, CalorieEstimateRequest
from fitjourney_ai.shared import UserSessionDep

router = APIRouter(prefix="/api/v1/ai", tags=["calories"])


@router.post("/calorie-estimate", response_model=CalorieEstimateRead,
             summary="Energy a workout burns (Compendium METs by speed, or Keytel from heart rate)")
async def calorie_estimate(body: CalorieEstimateRequest, caller: UserSessionDep) -> CalorieEstimateRead:
    return await service.estimate_for_user(caller.session, caller.user_id, body)
