"""Builds a requested report in the event worker (off the request path): reads core, renders, stores,
and announces `report.ready` in the same transaction that marks the report ready."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.compute.calendar import Window
from fitjourney_analytics.coredata.repository import CoreReadRepository
from fitjourney_analytics.dashboard.service import dashboard, load_days, user_zone_today
from fitjourney_analytics.models import OutboxMessage, Report
from fitjourney_analytics.reports.repository import ReportRepository
from fitjourney_common.db.base import utcnow
from fitjourney_common.db.engine import bind_user
from fitjourney_common.events.contracts import ReportReady, ReportRequested
from fitjourney_common.events.envelope import EventEnvelope, new_event
from fitjourney_common.events.outbox import add_event
from fitjourney_common.storage import ObjectStore

if TYPE_CHECKING:
    from fitjourney_analytics.runtime import AnalyticsRuntime

log = logging.getLogger(__name__)
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def report_key(report: Report) -> str:
    return f"reports/{report.user_id}/{report.id}.{report.format}"


async def render_report(report: Report, read_session: AsyncSession) -> bytes:
    core = CoreReadRepository(read_session)
    profile, zone, today = await user_zone_today(core, report.user_id, None)
    data = await load_days(core, report.user_id, Window(report.from_date, report.to_date, zone), today, profile)
    # Imported here, by the worker that renders: pandas and matplotlib stay out of the API processes (~30 and
    # 27 MiB each), which import this module for its event handler.
    from fitjourney_analytics.compute.report import days_frame, report_csv, summary_rows

    daily = days_frame(data.window, data.columns)
    if report.format == "csv":
        return report_csv(daily)
    figures = dashboard(data, report.kind)
    title = f"FitJourney {report.kind} report, {report.from_date:%d %b %Y} to {report.to_date:%d %b %Y}"
    from fitjourney_analytics.compute.report_pdf import report_pdf

    # matplotlib is CPU-bound: keep the event loop (and the other consumers) responsive.
    return await asyncio.to_thread(report_pdf, title, summary_rows(figures), daily)


async def handle_report_requested(session: AsyncSession, envelope: EventEnvelope, runtime: AnalyticsRuntime) -> None:
    request = ReportRequested.model_validate(envelope.data)
    report = await ReportRepository(session).get_for_update(request.report_id)
    if report is None or report.status != "pending":
        return  # erased meanwhile, or built by an earlier delivery
    store: ObjectStore = runtime.store
    try:
        async with runtime.read_session_factory() as read_session:
            await bind_user(read_session, report.user_id)
            content = await render_report(report, read_session)
        key = report_key(report)
        await store.put(key, content, CONTENT_TYPES[report.format])
    except Exception as exc:
        # A report that cannot be built says so (the user may ask again) instead of staying pending forever.
        log.exception("report %s could not be built", report.id)
        report.status, report.finished_at = "failed", utcnow()
        report.error = f"could not be built ({type(exc).__name__})"
        return
    report.status, report.object_key, report.finished_at = "ready", key, utcnow()
    add_event(session, OutboxMessage, new_event(ReportReady.event_type, ReportReady(
        report_id=report.id, user_id=report.user_id, format=report.format)))  # type: ignore[arg-type]
