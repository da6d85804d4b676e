"""SQL of body metrics."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.pagination import ListParams
from fitjourney_core.body_metrics.models import BodyMetric
from fitjourney_core.pagination import newest_first_page


async def list_for_user(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Sequence[BodyMetric]:
    query = select(BodyMetric).where(BodyMetric.user_id == user_id, BodyMetric.deleted_at.is_(None))
    return (await session.scalars(newest_first_page(query, BodyMetric.measured_at, BodyMetric.id, params))).all()


def latest_of(column: Any, user_id: uuid.UUID | BindParameter[uuid.UUID],
              before: datetime | BindParameter[datetime] | None = None) -> Any:
    """The query of the user's most recent non-null `column` of a live body metric (before `before`)."""
    query = (
        select(column)
        .where(BodyMetric.user_id == user_id, BodyMetric.deleted_at.is_(None), column.is_not(None))
        .order_by(BodyMetric.measured_at.desc())
        .limit(1)
    )
    return query if before is None else query.where(BodyMetric.measured_at < before)


async def latest_weight(session: AsyncSession, user_id: uuid.UUID, before: datetime | None = None) -> float | None:
    """The most recent weight the user recorded (up to `before`, when given)."""
    return await session.scalar(latest_of(BodyMetric.weight_kg, user_id, before))


async def latest_body_fat(
    session: AsyncSession, user_id: uuid.UUID, before: datetime | None = None,
) -> float | None:
    """The most recent body fat percentage the user recorded (up to `before`, when given)."""
    return await session.scalar(latest_of(BodyMetric.body_fat_pct, user_id, before))


async def latest_weight_and_body_fat(
    session: AsyncSession, user_id: uuid.UUID, before: datetime | None = None,
) -> tuple[float | None, float | None]:
    """`latest_weight` and `latest_body_fat` in one round trip (what a profile or its targets show)."""
    row = (await session.execute(select(
        latest_of(BodyMetric.weight_kg, user_id, before).scalar_subquery(),
        latest_of(BodyMetric.body_fat_pct, user_id, before).scalar_subquery(),
    ))).one()
    return row[0], row[1]
