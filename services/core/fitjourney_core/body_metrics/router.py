"""HTTP routes of /api/v1/body-metrics."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from fitjourney_common.db.pagination import ListParamsDep, Page
from fitjourney_common.openapi import problems, replayed
from fitjourney_core.body_metrics import service
from fitjourney_core.body_metrics.schemas import BodyMetricCreate, BodyMetricRead, BodyMetricUpdate
from fitjourney_core.shared import IfMatchDep, UserSessionDep, etag

router = APIRouter(prefix="/api/v1/body-metrics", tags=["body metrics"])


@router.post("", response_model=BodyMetricRead, status_code=status.HTTP_201_CREATED,
             responses={**replayed(BodyMetricRead, "measurement"), **problems(409)},
             summary="Record measurements (201; 200 with the same record when the client id was already used)")
async def record_metric(
    body: BodyMetricCreate, user: UserSessionDep, response: Response,
) -> BodyMetricRead:
    metric, created = await service.record_metric(user.session, user.user_id, body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(metric.version)
    response.headers["Location"] = f"/api/v1/body-metrics/{metric.id}"
    return metric


@router.get("", response_model=Page[BodyMetricRead], summary="My measurements, newest first (from/to on measured_at)")
async def list_metrics(user: UserSessionDep, params: ListParamsDep) -> Page[BodyMetricRead]:
    return await service.list_metrics(user.session, user.user_id, params)


@router.get("/{metric_id}", response_model=BodyMetricRead)
async def get_metric(metric_id: uuid.UUID, user: UserSessionDep, response: Response) -> BodyMetricRead:
    metric = await service.get_metric(user.session, user.user_id, metric_id)
    response.headers["ETag"] = etag(metric.version)
    return metric


@router.patch("/{metric_id}", response_model=BodyMetricRead, summary="Correct a measurement (If-Match)")
async def update_metric(
    metric_id: uuid.UUID, body: BodyMetricUpdate, user: UserSessionDep, if_match: IfMatchDep,
    response: Response,
) -> BodyMetricRead:
    metric = await service.update_metric(user.session, user.user_id, metric_id, body, if_match)
    response.headers["ETag"] = etag(metric.version)
    return metric


@router.delete("/{metric_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_metric(metric_id: uuid.UUID, user: UserSessionDep, if_match: IfMatchDep) -> None:
    await service.delete_metric(user.session, user.user_id, metric_id, if_match)
