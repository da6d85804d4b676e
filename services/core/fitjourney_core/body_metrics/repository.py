"""SQL of body metrics."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.pagination import ListParams
from fitjourney_core.body_metrics.models import BodyMetric
from fitjourney_core.pagination import newest_first_page


async def list_for_user(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Sequence[BodyMetric]:
    query = select(BodyMetric).where(BodyMetric.user_id == user_id, BodyMetric.deleted_at.is_(None))
    return (await session.scalars(newest_first_page(query, BodyMetric.measured_at, BodyMetric.id, params))).all()


async def latest_weight(session: AsyncSession, user_id: uuid.UUID, before: datetime | None = None) -> float | None:
    """The most recent weight the user recorded (up to `before`, when given)."""
    query = (
        select(BodyMetric.weight_kg)
        .where(BodyMetric.user_id == user_id, BodyMetric.deleted_at.is_(None), BodyMetric.weight_kg.is_not(None))
        .order_by(BodyMetric.measured_at.desc())
        .limit(1)
    )
    if before is not None:
        query = query.where(BodyMetric.measured_at < before)
    return await session.scalar(query)


async def latest_body_fat(
    session: AsyncSession, user_id: uuid.UUID, before: datetime | None = None,
) -> float | None:
    """The most recent body fat percentage the user recorded (up to `before`, when given)."""
    query = (
        select(BodyMetric.body_fat_pct)
        .where(BodyMetric.user_id == user_id, BodyMetric.deleted_at.is_(None), BodyMetric.body_fat_pct.is_not(None))
        .order_by(BodyMetric.measured_at.desc())
        .limit(1)
    )
    if before is not None:
        query = query.where(BodyMetric.measured_at < before)
    return await session.scalar(query)


async def latest_weight_and_body_fat(
    session: AsyncSession, user_id: uuid.UUID, before: datetime | None = None,
) -> tuple[float | None, float | None]:
    """`latest_weight` and `latest_body_fat` in one round trip (what a profile or its targets show)."""

    def latest(column: Any) -> Any:
        query = (
            select(column)
            .where(BodyMetric.user_id == user_id, BodyMetric.deleted_at.is_(None), column.is_not(None))
            .order_by(BodyMetric.measured_at.desc())
            .limit(1)
        )
        if before is not None:
            query = query.where(BodyMetric.measured_at < before)
        return query.scalar_subquery()

    row = (await session.execute(select(latest(BodyMetric.weight_kg), latest(BodyMetric.body_fat_pct)))).one()
    return row[0], row[1]
