"""Helpers every ai domain uses: the caller's scoped session, ai's runtime, the user's today."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.readmodel.models import Profile
from fitjourney_ai.runtime import AiRuntime, ai_runtime
from fitjourney_common.db.engine import bind_user
from fitjourney_common.db.session import SessionDep
from fitjourney_common.runtime import RuntimeDep
from fitjourney_common.security import CurrentUser


@dataclass(frozen=True)
class UserSession:
    session: AsyncSession
    user_id: uuid.UUID


async def get_user_session(principal: CurrentUser, session: SessionDep) -> UserSession:
    # Bound before any query, so PostgreSQL row-level security applies to everything the request runs.
    await bind_user(session, principal.user_id)
    return UserSession(session=session, user_id=principal.user_id)


UserSessionDep = Annotated[UserSession, Depends(get_user_session)]


async def get_ai_runtime(runtime: RuntimeDep) -> AiRuntime:
    return ai_runtime(runtime)


AiRuntimeDep = Annotated[AiRuntime, Depends(get_ai_runtime)]


def user_today(profile: Profile | None, now: dt.datetime | None = None) -> dt.date:
    """Today in the user's time zone (UTC without a profile)."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        zone = ZoneInfo(profile.time_zone) if profile else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()
