"""Handler of `food.photo_recognized`: candidates onto the photo job, then a notification to the user."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.session import call_after_commit
from fitjourney_common.events.contracts import FoodPhotoRecognized
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_core.food_logs.photos import apply_recognition
from fitjourney_core.notifications.service import notify_user

if TYPE_CHECKING:
    from fitjourney_core.runtime import CoreRuntime

log = logging.getLogger(__name__)


async def handle_photo_recognized(session: AsyncSession, envelope: EventEnvelope, runtime: CoreRuntime) -> None:
    result = FoodPhotoRecognized.model_validate(envelope.data)
    job = await apply_recognition(session, result)
    if job is None:
        log.info("photo job %s of %s is gone; recognition result dropped", result.job_id, result.user_id)
        return

    async def announce() -> None:
        # After the commit: a client told "done" finds the candidates when it asks.
        await notify_user(runtime.redis, result.user_id, {
            "type": "food.photo_recognized", "job_id": str(job.job_id), "status": job.status,
            "candidates": len(job.candidates),
        })

    call_after_commit(session, announce)
