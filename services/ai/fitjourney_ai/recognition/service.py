"""Food-photo rules: recognise an uploaded image or a photo core stored, record and publish the result."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.events import publish
from fitjourney_ai.readmodel import repository
from fitjourney_ai.recognition.recognizer import Recognition
from fitjourney_ai.recognition.schemas import CandidateRead, RecognitionRead
from fitjourney_ai.runtime import AiRuntime
from fitjourney_common.errors import ServiceUnavailable, ValidationFailed
from fitjourney_common.events.contracts import FoodPhotoUploaded
from fitjourney_common.images import check_image

log = logging.getLogger(__name__)


async def recognize_upload(runtime: AiRuntime, image: bytes) -> RecognitionRead:
    """One image, answered now: checked first as every upload is (413/415/422, whether or not a model is
    installed), then 503 with the reason when no model is installed."""
    await runtime.recognizer.run(check_image, image, max_bytes=runtime.settings.photo_max_bytes,
                                 max_pixels=runtime.settings.max_image_pixels)
    result = await runtime.recognizer.recognize(image)
    if result.status == "unavailable":
        raise ServiceUnavailable(result.reason or "no food model is loaded")
    if result.status == "failed":
        raise ValidationFailed("image", result.reason or "not a readable image")
    return RecognitionRead(status=result.status, candidates=[CandidateRead(**c) for c in result.candidates],
                           model_version=result.model_version)


async def recognize_stored_photo(runtime: AiRuntime, photo: FoodPhotoUploaded) -> Recognition:
    """Outside any transaction: the image is read and classified before the result is written."""
    await runtime.recognizer.wait_loaded()
    if runtime.recognizer.status != "ready":
        return Recognition("unavailable", reason=runtime.recognizer.reason)
    try:
        image = await runtime.store.get(photo.object_key)
    except Exception as exc:  # deleted or erased meanwhile: nothing to recognise, and retrying will not help
        log.warning("photo %s of job %s cannot be read: %r", photo.object_key, photo.job_id, exc)
        return Recognition("failed", reason="the photo could not be read from storage")
    return await runtime.recognizer.recognize(image)


async def record_result(session: AsyncSession, photo: FoodPhotoUploaded, result: Recognition) -> None:
    await repository.save_recognition(session, {
        "job_id": photo.job_id, "user_id": photo.user_id, "status": result.status, "reason": result.reason,
        "model_version": result.model_version, "candidates": result.candidates,
    })
    await publish(session, "food.photo_recognized", {
        "job_id": photo.job_id, "user_id": photo.user_id, "status": result.status,
        "candidates": result.candidates, "reason": result.reason, "model_version": result.model_version,
    }, photo.user_id)
