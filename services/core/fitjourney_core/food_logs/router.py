"""HTTP routes of `/api/v1/food-logs`: logs, day views with meal totals, and the food-photo flow."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from fitjourney_common.db.pagination import ListParamsDep
from fitjourney_common.openapi import problems, replayed
from fitjourney_core.food_logs import photos, service
from fitjourney_core.food_logs.schemas import (
    FoodLogCreate,
    FoodLogDay,
    FoodLogPage,
    FoodLogRead,
    FoodLogUpdate,
    PhotoAccept,
    PhotoJobRead,
)
from fitjourney_core.schemas import PastDate
from fitjourney_core.shared import IfMatchDep, SettingsDep, StoreDep, UserSessionDep, etag

PREFIX = "/api/v1/food-logs"
router = APIRouter(prefix=PREFIX, tags=["food logs"])


def _with_etag(read: FoodLogRead, response: Response) -> FoodLogRead:
    response.headers["ETag"] = etag(read.version)
    return read


# The photo routes come first: "/photo" must not be taken for a food-log id.
@router.post("/photo", response_model=PhotoJobRead, status_code=status.HTTP_202_ACCEPTED,
             responses={**replayed(PhotoJobRead, "job"), **problems(409, 415)},
             summary="Upload a meal photo (JPEG, PNG or WebP ≤ 10 MiB) for recognition; poll the job")
async def upload_photo(
    user: UserSessionDep, store: StoreDep, settings: SettingsDep, response: Response,
    image: Annotated[UploadFile, File(description="The photo")],
    id: Annotated[uuid.UUID | None, Form(description="Client-generated job id (replays answer the same job)")] = None,
) -> PhotoJobRead:
    # One byte past the limit is enough to know it is too large without reading all of it.
    data = await image.read(settings.photo_max_bytes + 1)
    job, created = await photos.upload_photo(user.session, store, settings, user.user_id, data, id)
    response.status_code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
    response.headers["Location"] = f"{PREFIX}/photo/{job.job_id}"
    return job


@router.get("/photo/{job_id}", response_model=PhotoJobRead, summary="Status and candidates of a photo job")
async def get_photo_job(job_id: uuid.UUID, user: UserSessionDep) -> PhotoJobRead:
    return await photos.get_photo_job(user.session, user.user_id, job_id)


@router.post("/photo/{job_id}/accept", response_model=FoodLogRead, status_code=status.HTTP_201_CREATED,
             responses={**replayed(FoodLogRead, "food log"),
                        **problems(409, _409="Recognition is still pending or failed: nothing to accept yet")},
             summary="Log one of the recognised candidates")
async def accept_photo_candidate(
    job_id: uuid.UUID, data: PhotoAccept, user: UserSessionDep, response: Response,
) -> FoodLogRead:
    log, created = await photos.accept_candidate(user.session, user.user_id, job_id, data)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"{PREFIX}/{log.id}"
    return _with_etag(log, response)


@router.post("", response_model=FoodLogRead, status_code=status.HTTP_201_CREATED,
             responses={**replayed(FoodLogRead, "food log"), **problems(409, 404, _404="No such food (`food_id`)")},
             summary="Log food by grams or by a portion (a replayed client id answers the same log with 200)")
async def create_food_log(data: FoodLogCreate, user: UserSessionDep,
                          response: Response) -> FoodLogRead:
    log, created = await service.create_food_log(user.session, user.user_id, data)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"{PREFIX}/{log.id}"
    return _with_etag(log, response)


@router.get("", response_model=FoodLogDay | FoodLogPage,
            summary="One local day with totals per meal (`date`), or every log newest first (from/to, cursor)")
async def list_food_logs(
    user: UserSessionDep, params: ListParamsDep,
    # PastDate: a day out of the sane range is a 422, not an overflow computing its bounds (a 500).
    date: Annotated[PastDate | None, Query(description="A day in your profile's time zone")] = None,
) -> FoodLogDay | FoodLogPage:
    if date is not None:
        return await service.food_log_day(user.session, user.user_id, date)
    return await service.list_food_logs(user.session, user.user_id, params)


@router.get("/{log_id}", response_model=FoodLogRead)
async def get_food_log(log_id: uuid.UUID, user: UserSessionDep, response: Response) -> FoodLogRead:
    return _with_etag(await service.get_food_log(user.session, user.user_id, log_id), response)


@router.patch("/{log_id}", response_model=FoodLogRead)
async def update_food_log(
    log_id: uuid.UUID, data: FoodLogUpdate, user: UserSessionDep, response: Response,
    if_match: IfMatchDep = None,
) -> FoodLogRead:
    log = await service.update_food_log(user.session, user.user_id, log_id, data, if_match)
    return _with_etag(log, response)


@router.delete("/{log_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_food_log(log_id: uuid.UUID, user: UserSessionDep,
                          if_match: IfMatchDep = None) -> Response:
    await service.delete_food_log(user.session, user.user_id, log_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
