"""Analytics' part of the one export and the one erasure (`fitjourney_common.gdpr`): its reports and sign-up date."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.business.repository import RegistrationRepository
from fitjourney_analytics.models import OutboxMessage
from fitjourney_analytics.reports.repository import ReportRepository
from fitjourney_common.db.session import call_after_commit
from fitjourney_common.events.contracts import UserDeleted, UserExportPartReady, UserExportRequested
from fitjourney_common.events.envelope import EventEnvelope, new_event
from fitjourney_common.events.outbox import add_event
from fitjourney_common.gdpr import erasure_completed, export_part, record

if TYPE_CHECKING:
    from fitjourney_analytics.runtime import AnalyticsRuntime

log = logging.getLogger(__name__)
SERVICE = "analytics"


def report_prefix(user_id: object) -> str:
    return f"reports/{user_id}/"


async def handle_export_requested(session: AsyncSession, envelope: EventEnvelope, _runtime: AnalyticsRuntime,
                                  ) -> None:
    request = UserExportRequested.model_validate(envelope.data)
    reports = await ReportRepository(session).list_for_user(request.user_id)
    registration = await RegistrationRepository(session).get(request.user_id)
    part = export_part(SERVICE, request, {
        "reports": [record(report, leave_out=frozenset({"user_id"})) for report in reports],
        "registrations": [record(registration, leave_out=frozenset({"user_id"}))] if registration else [],
    })
    add_event(session, OutboxMessage, new_event(UserExportPartReady.event_type, part))


async def handle_user_deleted(session: AsyncSession, envelope: EventEnvelope, runtime: AnalyticsRuntime) -> None:
    """Report rows and files, the sign-up date, the cache; then `user.erasure_completed` (same transaction)."""
    user_id = UserDeleted.model_validate(envelope.data).user_id
    reports = await ReportRepository(session).delete_for_user(user_id)
    registrations = await RegistrationRepository(session).delete_for_user(user_id)
    # Inside the transaction: if the store fails, the rows come back, the event is retried and both go
    # together; a crash after the files went but before the commit is finished by the redelivery.
    removed = await runtime.store.delete_prefix(report_prefix(user_id))
    add_event(session, OutboxMessage, new_event("user.erasure_completed", erasure_completed(
        SERVICE, user_id, reports + registrations, removed)))
    call_after_commit(session, lambda: runtime.dashboard_cache.invalidate(user_id))
    log.info("erased analytics data of %s: %d report rows, %d files", user_id, reports, removed)
