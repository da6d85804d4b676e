"""HTTP routes of the trends endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from fitjourney_analytics.dashboard.schemas import PeriodParam
from fitjourney_analytics.deps import CoreReaderDep, DashboardCacheDep, NowDep
from fitjourney_analytics.settings import API_PREFIX
from fitjourney_analytics.trends.schemas import MetricParam, TrendRead
from fitjourney_analytics.trends.service import cached_trend
from fitjourney_common.security import CurrentUser

router = APIRouter(prefix=API_PREFIX, tags=["trends"])


@router.get("/trends", response_model=TrendRead)
async def get_trend(principal: CurrentUser, core: CoreReaderDep, cache: DashboardCacheDep, now: NowDep,
                    metric: MetricParam = Query(...), period: PeriodParam = Query("month")) -> Response:
    # The body is already the response model's JSON (checked when computed): no second validation.
    body = await cached_trend(core, cache, principal.user_id, metric, period, now)
    return Response(body, media_type="application/json")
