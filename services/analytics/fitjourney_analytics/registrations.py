"""Sign-up dates from `user.registered`: the new users and the weekly cohorts of the business metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.business.repository import RegistrationRepository
from fitjourney_common.events.contracts import UserRegistered
from fitjourney_common.events.envelope import EventEnvelope

if TYPE_CHECKING:
    from fitjourney_analytics.runtime import AnalyticsRuntime


async def handle_user_registered(session: AsyncSession, envelope: EventEnvelope, _runtime: AnalyticsRuntime) -> None:
    data = UserRegistered.model_validate(envelope.data)
    await RegistrationRepository(session).add_if_missing(data.user_id, envelope.occurred_at)
