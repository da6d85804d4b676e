"""SQL of the reports table."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.models import Report


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, report: Report) -> None:
        self.session.add(report)

    async def get_for_user(self, report_id: uuid.UUID, user_id: uuid.UUID) -> Report | None:
        return await self.session.scalar(select(Report).where(Report.id == report_id, Report.user_id == user_id))

    async def get_for_update(self, report_id: uuid.UUID) -> Report | None:
        return await self.session.scalar(select(Report).where(Report.id == report_id).with_for_update())

    async def list_for_user(self, user_id: uuid.UUID) -> list[Report]:
        return list(await self.session.scalars(select(Report).where(Report.user_id == user_id)
                                               .order_by(Report.created_at)))

    async def delete_for_user(self, user_id: uuid.UUID) -> int:
        result = await self.session.execute(delete(Report).where(Report.user_id == user_id))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
