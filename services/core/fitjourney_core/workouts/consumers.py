"""`workout.calories_estimated`: store the estimate (the write path drops the day's summary), tell the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.session import call_after_commit
from fitjourney_common.events.contracts import WorkoutCaloriesEstimated
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_core.notifications.service import notify_user
from fitjourney_core.workouts.service import apply_calorie_estimate, to_read

if TYPE_CHECKING:
    from fitjourney_core.runtime import CoreRuntime


async def handle_calories_estimated(session: AsyncSession, envelope: EventEnvelope, runtime: CoreRuntime) -> None:
    estimate = WorkoutCaloriesEstimated.model_validate(envelope.data)
    workout = await apply_calorie_estimate(session, estimate)
    if workout is None:
        return
    read = to_read(workout)

    async def announce() -> None:
        await notify_user(runtime.redis, estimate.user_id, {
            "type": "workout.calories_estimated",
            "workout": read.model_dump(mode="json"),
        })

    call_after_commit(session, announce)
