"""Report rules: the dates a kind covers, asking for one (a row and an event together), reading it back."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.coredata.repository import CoreReadRepository
from fitjourney_analytics.dashboard.service import user_zone_today
from fitjourney_analytics.models import OutboxMessage, Report
from fitjourney_analytics.reports.repository import ReportRepository
from fitjourney_analytics.reports.schemas import ReportCreate
from fitjourney_common.errors import NotFound, ValidationFailed
from fitjourney_common.events.contracts import ReportRequested
from fitjourney_common.events.envelope import new_event
from fitjourney_common.events.outbox import add_event
from fitjourney_common.storage import ObjectStore


def report_dates(request: ReportCreate, today: date, max_days: int) -> tuple[date, date]:
    """The local days a report covers; 422 naming the field when they do not make sense."""
    if request.kind == "weekly":
        first = request.from_ or today - timedelta(days=today.weekday() + 7)
        if request.to is not None and request.to != first + timedelta(days=6):
            raise ValidationFailed("to", "a weekly report covers 7 days from `from`; leave `to` out")
        return first, first + timedelta(days=6)
    if request.kind == "monthly":
        first = (request.from_ or (today.replace(day=1) - timedelta(days=1))).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        if request.to is not None and request.to != following - timedelta(days=1):
            raise ValidationFailed("to", "a monthly report covers the month of `from`; leave `to` out")
        return first, following - timedelta(days=1)
    if request.from_ is None:
        raise ValidationFailed("from", "a custom report needs `from`")
    if request.to is None:
        raise ValidationFailed("to", "a custom report needs `to`")
    if request.to < request.from_:
        raise ValidationFailed("to", "`to` must not be before `from`")
    if (request.to - request.from_).days + 1 > max_days:
        raise ValidationFailed("to", f"a report covers at most {max_days} days")
    return request.from_, request.to


def request_report(session: AsyncSession, user_id: uuid.UUID, request: ReportCreate, first: date, last: date,
                   ) -> Report:
    """A pending report and the event that gets it built, in the caller's transaction."""
    report = Report(id=uuid.uuid4(), user_id=user_id, kind=request.kind, format=request.format, from_date=first,
                    to_date=last, status="pending")
    ReportRepository(session).add(report)
    add_event(session, OutboxMessage, new_event(ReportRequested.event_type,
                                                ReportRequested(report_id=report.id, user_id=user_id)))
    return report


async def read_report(session: AsyncSession, store: ObjectStore, user_id: uuid.UUID, report_id: uuid.UUID,
                      url_seconds: int) -> dict[str, Any]:
    report = await ReportRepository(session).get_for_user(report_id, user_id)
    if report is None:
        raise NotFound("report not found")
    url = (await store.presigned_url(report.object_key, url_seconds)
           if report.status == "ready" and report.object_key else None)
    return {"id": report.id, "status": report.status, "kind": report.kind, "format": report.format,
            "from": report.from_date, "to": report.to_date, "created_at": report.created_at,
            "finished_at": report.finished_at, "download_url": url, "error": report.error}


async def ask_for_report(session: AsyncSession, core: CoreReadRepository, user_id: uuid.UUID,
                         request: ReportCreate, max_days: int, now: datetime) -> Report:
    """Validate the dates against the user's local today, then record the request (202)."""
    _, _, today = await user_zone_today(core, user_id, now)
    first, last = report_dates(request, today, max_days)
    return request_report(session, user_id, request, first, last)
