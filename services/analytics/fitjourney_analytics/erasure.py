"""Erasure of a user's analytics data on `user.deleted`: report rows and files, sign-up date, cache."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.business.repository import RegistrationRepository
from fitjourney_analytics.reports.repository import ReportRepository
from fitjourney_common.db.session import call_after_commit
from fitjourney_common.events.contracts import UserDeleted
from fitjourney_common.events.envelope import EventEnvelope

if TYPE_CHECKING:
    from fitjourney_analytics.runtime import AnalyticsRuntime

log = logging.getLogger(__name__)


def report_prefix(user_id: Any) -> str:
    return f"reports/{user_id}/"


async def handle_user_deleted(session: AsyncSession, envelope: EventEnvelope, runtime: AnalyticsRuntime) -> None:
    user_id = UserDeleted.model_validate(envelope.data).user_id
    reports = await ReportRepository(session).delete_for_user(user_id)
    await RegistrationRepository(session).delete_for_user(user_id)

    # Inside the transaction: if the store fails, the rows come back, the event is retried and both go
    # together; a crash after the files went but before the commit is finished by the redelivery.
    removed = await runtime.store.delete_prefix(report_prefix(user_id))
    call_after_commit(session, lambda: runtime.dashboard_cache.invalidate(user_id))
    log.info("erased analytics data of %s: %d report rows, %d files", user_id, reports, removed)
