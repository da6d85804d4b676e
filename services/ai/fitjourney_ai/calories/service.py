"""Calorie rules: fill a workout's weight, age and sex from ai's read model, estimate, publish the answer."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.calories.estimate import CalorieEstimate, WeightSource, WorkoutInput, estimate
from fitjourney_ai.calories.schemas import CalorieEstimateRead, CalorieEstimateRequest
from fitjourney_ai.readmodel import repository
from fitjourney_ai.trends.targets import age_on
from fitjourney_common.events.contracts import WorkoutCreated, WorkoutUpdated
from fitjourney_common.events.envelope import new_event


async def _input(session: AsyncSession, user_id: uuid.UUID, *, activity: str, duration_min: float,
                  distance_km: float | None, avg_heart_rate: int | None, started_at: dt.datetime,
                  weight_kg: float | None, fallback_weight_kg: float | None = None) -> WorkoutInput:
    """Weight: the one given, else the latest weighing at the workout's time, else core's figure on the event."""
    basis = await repository.estimate_basis(session, user_id, started_at)
    source: WeightSource = "given"
    if weight_kg is None:
        weight_kg, source = basis.weight_kg, "body_metric"
    if weight_kg is None and fallback_weight_kg is not None:
        weight_kg, source = fallback_weight_kg, "workout_event"
    age = age_on(basis.birth_date, started_at.date()) if basis.birth_date else None
    return WorkoutInput(activity=activity, duration_min=duration_min, distance_km=distance_km,
                        avg_heart_rate=avg_heart_rate, weight_kg=weight_kg, weight_source=source, age_years=age,
                        sex=basis.sex)


def to_read(result: CalorieEstimate) -> CalorieEstimateRead:
    data = asdict(result)
    data["compendium_codes"], data["notes"] = list(result.compendium_codes), list(result.notes)
    return CalorieEstimateRead(**data)


async def estimate_for_user(session: AsyncSession, user_id: uuid.UUID,
                            request: CalorieEstimateRequest) -> CalorieEstimateRead:
    started_at = request.started_at or dt.datetime.now(dt.UTC)
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=dt.UTC)
    data = await _input(session, user_id, activity=request.activity, duration_min=request.duration_min,
                        distance_km=request.distance_km, avg_heart_rate=request.avg_heart_rate,
                        started_at=started_at, weight_kg=request.weight_kg)
    return to_read(estimate(data))


async def answer_workout(session: AsyncSession, workout: WorkoutCreated | WorkoutUpdated) -> CalorieEstimate:
    """Estimate a created or edited workout, keep the result, publish `workout.calories_estimated`."""
    data = await _input(session, workout.user_id, activity=workout.activity, duration_min=workout.duration_min,
                        distance_km=workout.distance_km, avg_heart_rate=workout.avg_heart_rate,
                        started_at=workout.started_at, weight_kg=None, fallback_weight_kg=workout.weight_kg)
    result = estimate(data)
    await repository.save_estimate(session, {
        "workout_id": workout.workout_id, "user_id": workout.user_id,
        "estimate_revision": workout.estimate_revision, "gross_kcal": result.gross_kcal,
        "net_kcal": result.net_kcal, "method": result.method, "met": result.met, "weight_kg": result.weight_kg,
        "weight_source": result.weight_source,
    }, announce=new_event("workout.calories_estimated", {
        "workout_id": workout.workout_id, "user_id": workout.user_id, "calories_burned": result.gross_kcal,
        "net_calories": result.net_kcal, "method": result.method, "met": result.met,
        "notes": [note[:300] for note in result.notes[:10]], "estimate_revision": workout.estimate_revision,
    }, workout.user_id))
    return result
