"""HTTP route of the business metrics (admins only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query

from fitjourney_analytics.business.schemas import BusinessMetricsRead
from fitjourney_analytics.business.service import business_metrics, metrics_range
from fitjourney_analytics.deps import AdminReadSessionDep, NowDep
from fitjourney_analytics.settings import API_PREFIX
from fitjourney_common.db.session import SessionDep
from fitjourney_common.security import require_roles

router = APIRouter(prefix=API_PREFIX, tags=["business"])


@router.get("/business-metrics", response_model=BusinessMetricsRead, response_model_by_alias=True,
            dependencies=[require_roles("admin")])
async def get_business_metrics(core: AdminReadSessionDep, session: SessionDep, now: NowDep,
                               from_: date | None = Query(None, alias="from"), to: date | None = Query(None)) -> Any:
    first, last = metrics_range(from_, to, now.date())
    return await business_metrics(core, session, first, last)
