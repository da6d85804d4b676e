"""HTTP routes of reports: ask for one (202), then poll it until it is ready."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from fitjourney_analytics.deps import CoreReaderDep, NowDep, SettingsDep, StoreDep
from fitjourney_analytics.reports.schemas import ReportAccepted, ReportCreate, ReportRead
from fitjourney_analytics.reports.service import ask_for_report, read_report
from fitjourney_analytics.settings import API_PREFIX
from fitjourney_common.db.session import SessionDep
from fitjourney_common.security import CurrentUser

router = APIRouter(prefix=API_PREFIX, tags=["reports"])


@router.post("/reports", status_code=202, response_model=ReportAccepted)
async def create_report(body: ReportCreate, principal: CurrentUser, session: SessionDep, core: CoreReaderDep,
                        settings: SettingsDep, now: NowDep, response: Response) -> Any:
    report = await ask_for_report(session, core, principal.user_id, body, settings.report_max_days, now)
    response.headers["Location"] = f"{API_PREFIX}/reports/{report.id}"
    return {"id": report.id, "status": report.status}


@router.get("/reports/{report_id}", response_model=ReportRead, response_model_by_alias=True)
async def get_report(report_id: uuid.UUID, principal: CurrentUser, session: SessionDep, store: StoreDep,
                     settings: SettingsDep) -> Any:
    return await read_report(session, store, principal.user_id, report_id, settings.report_url_seconds)
