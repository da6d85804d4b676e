"""Sign-up dates from `user.registered`: the new users and the weekly cohorts of the business metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.models import Registration
from fitjourney_common.events.contracts import UserRegistered
from fitjourney_common.events.envelope import EventEnvelope

if TYPE_CHECKING:
    from fitjourney_analytics.runtime import AnalyticsRuntime


async def handle_user_registered(session: AsyncSession, envelope: EventEnvelope, _runtime: AnalyticsRuntime) -> None:
    data = UserRegistered.model_validate(envelope.data)
    if await session.get(Registration, data.user_id) is None:
        session.add(Registration(user_id=data.user_id, registered_at=envelope.occurred_at))
