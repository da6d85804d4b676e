"""Body-metric rules: record (once per client id), correct with If-Match, soft delete."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.pagination import ListParams, Page
from fitjourney_common.errors import ValidationFailed
from fitjourney_common.events.contracts import BodyMetricCreated, BodyMetricDeleted, BodyMetricState, BodyMetricUpdated
from fitjourney_core.body_metrics import repository
from fitjourney_core.body_metrics.models import BodyMetric
from fitjourney_core.body_metrics.schemas import MEASUREMENTS, BodyMetricCreate, BodyMetricRead, BodyMetricUpdate
from fitjourney_core.pagination import next_cursor
from fitjourney_core.portability import plain_exporter
from fitjourney_core.shared import (
    check_if_match,
    existing_for_replay,
    flush_new_reading_zone,
    get_owned_or_404,
    tombstone,
)
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.service import ResourceKind

# "Latest weight" in every later day's summary (and the targets) may change: every cached day goes.
BODY_METRICS = ResourceKind(
    name="body_metric", model=BodyMetric, id_field="metric_id", state=BodyMetricState,
    events={"created": BodyMetricCreated, "updated": BodyMetricUpdated, "deleted": BodyMetricDeleted},
    day_field="measured_at", invalidates="every_day",
)

BODY_METRICS_EXPORT = plain_exporter("body_metrics", BodyMetric)


def to_read(metric: BodyMetric) -> BodyMetricRead:
    return BodyMetricRead.model_validate(metric)


async def record_metric(
    session: AsyncSession, user_id: uuid.UUID, data: BodyMetricCreate,
) -> tuple[BodyMetricRead, bool]:
    existing = await existing_for_replay(session, BodyMetric, data.id, user_id)
    if existing is not None:
        return to_read(existing), False
    metric = BodyMetric(id=data.id or uuid.uuid4(), user_id=user_id, version=1,
                        **data.model_dump(exclude={"id"}))
    await flush_new_reading_zone(session, metric)
    read = to_read(metric)
    await writes.created(session, BODY_METRICS, metric, payload=read.model_dump(mode="json"))
    return read, True


async def list_metrics(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Page[BodyMetricRead]:
    rows, cursor = next_cursor(list(await repository.list_for_user(session, user_id, params)), params.limit,
                               "measured_at")
    return Page[BodyMetricRead](items=[to_read(row) for row in rows], next_cursor=cursor)


async def get_metric(session: AsyncSession, user_id: uuid.UUID, metric_id: uuid.UUID) -> BodyMetricRead:
    return to_read(await get_owned_or_404(session, BodyMetric, metric_id, user_id))


async def update_metric(
    session: AsyncSession, user_id: uuid.UUID, metric_id: uuid.UUID, data: BodyMetricUpdate,
    if_match: str | None,
) -> BodyMetricRead:
    metric = await get_owned_or_404(session, BodyMetric, metric_id, user_id)
    check_if_match(if_match, metric.version)
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return to_read(metric)
    before = BODY_METRICS.snapshot(metric)
    for field, value in changes.items():
        setattr(metric, field, value)
    if all(getattr(metric, name) is None for name in MEASUREMENTS):
        raise ValidationFailed("weight_kg", "a measurement must keep at least one value")
    metric.version += 1
    metric.updated_at = utcnow()
    # A new measured_at may move the row to another month's partition: PostgreSQL does that itself.
    await session.flush()
    read = to_read(metric)
    await writes.updated(session, BODY_METRICS, metric, before, payload=read.model_dump(mode="json"))
    return read


async def delete_metric(
    session: AsyncSession, user_id: uuid.UUID, metric_id: uuid.UUID, if_match: str | None,
) -> None:
    metric = await get_owned_or_404(session, BodyMetric, metric_id, user_id)
    await tombstone(session, BODY_METRICS, metric, if_match)
