"""SQL of food logs and photo jobs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.pagination import ListParams
from fitjourney_core.food_logs.models import FoodLog, PhotoJob
from fitjourney_core.pagination import newest_first_page

DAY_LIMIT = 1000


async def list_between(
    session: AsyncSession, user_id: uuid.UUID, start: datetime, end: datetime,
) -> Sequence[FoodLog]:
    """The user's live logs in [start, end), in the order they were eaten (a day has few)."""
    query = (
        select(FoodLog)
        .where(FoodLog.user_id == user_id, FoodLog.deleted_at.is_(None),
               FoodLog.eaten_at >= start, FoodLog.eaten_at < end)
        .order_by(FoodLog.eaten_at, FoodLog.id)
        .limit(DAY_LIMIT)
    )
    return (await session.scalars(query)).all()


async def list_page(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Sequence[FoodLog]:
    query = select(FoodLog).where(FoodLog.user_id == user_id, FoodLog.deleted_at.is_(None))
    return (await session.scalars(newest_first_page(query, FoodLog.eaten_at, FoodLog.id, params))).all()


async def photo_job_for_update(session: AsyncSession, job_id: uuid.UUID, user_id: uuid.UUID) -> PhotoJob | None:
    query = select(PhotoJob).where(PhotoJob.id == job_id, PhotoJob.user_id == user_id,
                                   PhotoJob.deleted_at.is_(None)).with_for_update()
    return (await session.scalars(query)).first()
