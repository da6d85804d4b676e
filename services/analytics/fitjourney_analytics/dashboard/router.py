"""HTTP routes of the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from fitjourney_analytics.dashboard.schemas import DashboardRead, PeriodParam
from fitjourney_analytics.dashboard.service import cached_dashboard
from fitjourney_analytics.deps import CoreReaderDep, DashboardCacheDep, NowDep
from fitjourney_analytics.settings import API_PREFIX
from fitjourney_common.security import CurrentUser

router = APIRouter(prefix=API_PREFIX, tags=["dashboard"])


@router.get("/dashboard", response_model=DashboardRead, response_model_by_alias=True)
async def get_dashboard(principal: CurrentUser, core: CoreReaderDep, cache: DashboardCacheDep, now: NowDep,
                        period: PeriodParam = Query("week")) -> Response:
    # The body is already the response model's JSON (checked when computed): no second validation.
    body = await cached_dashboard(core, cache, principal.user_id, period, now)
    return Response(body, media_type="application/json")
