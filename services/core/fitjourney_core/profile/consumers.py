"""`user.registered`: start the new user's profile with the name they registered with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.events.contracts import UserRegistered
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_core.profile.service import adopt_registered_name

if TYPE_CHECKING:
    from fitjourney_core.runtime import CoreRuntime


async def handle_user_registered(session: AsyncSession, envelope: EventEnvelope, runtime: CoreRuntime) -> None:
    registered = UserRegistered.model_validate(envelope.data)
    await adopt_registered_name(session, registered.user_id, registered.display_name,
                                runtime.store, runtime.settings)
