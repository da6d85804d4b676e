"""POST /api/v1/ai/food-recognition: one photo, classified now (multipart)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from fitjourney_ai.recognition import service
from fitjourney_ai.recognition.schemas import RecognitionRead
from fitjourney_ai.shared import AiRuntimeDep
from fitjourney_common.openapi import problems
from fitjourney_common.security import CurrentUser

router = APIRouter(prefix="/api/v1/ai", tags=["food recognition"])


@router.post("/food-recognition", response_model=RecognitionRead,
             summary="Recognise a dish in a photo: top-5 catalogue foods with portion, kcal and macros",
             responses={**problems(415),
                        503: {"description": "no food model is installed (the reason says why)"}})
async def food_recognition(
    _caller: CurrentUser, runtime: AiRuntimeDep,
    image: Annotated[UploadFile, File(description="The photo (JPEG, PNG or WebP)")],
) -> RecognitionRead:
    # One byte past the limit is enough to know it is too large without reading all of it.
    data = await image.read(runtime.settings.photo_max_bytes + 1)
    return await service.recognize_upload(runtime, data)
