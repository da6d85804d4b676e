"""Sign-up dates from `user.registered`: the new users and the weekly cohorts of the business metrics."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.models import Registration
from fitjourney_common.events.contracts import UserRegistered
from fitjourney_common.events.envelope import EventEnvelope


async def handle_user_registered(session: AsyncSession, envelope: EventEnvelope, _app_state: Any) -> None:
    data = UserRegistered.model_validate(envelope.data)
    if await session.get(Registration, data.user_id) is None:
        session.add(Registration(user_id=data.user_id, registered_at=envelope.occurred_at))
