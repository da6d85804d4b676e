"""What every domain of the service shares: `Annotated` dependencies and `publish` (events into the outbox)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.engine import bind_user
from fitjourney_common.db.session import SessionDep
from fitjourney_common.events.envelope import new_event
from fitjourney_common.events.outbox import add_event
from fitjourney_common.runtime import RuntimeDep
from fitjourney_common.security import CurrentUser
from fitjourney_skeleton.db import OutboxMessage
from fitjourney_skeleton.runtime import SkeletonRuntime, skeleton_runtime


async def get_skeleton_runtime(runtime: RuntimeDep) -> SkeletonRuntime:
    return skeleton_runtime(runtime)


SkeletonRuntimeDep = Annotated[SkeletonRuntime, Depends(get_skeleton_runtime)]


async def get_user_session(principal: CurrentUser, session: SessionDep) -> AsyncSession:
    # Bound before any query, so PostgreSQL row-level security applies to everything the request runs.
    await bind_user(session, principal.user_id)
    return session


UserSessionDep = Annotated[AsyncSession, Depends(get_user_session)]


def publish(session: AsyncSession, type_: str, data: BaseModel | dict[str, Any], user_id: uuid.UUID) -> None:
    """Put an event in the outbox, in the caller's transaction (its type must be a contract in
    `fitjourney_common.events.contracts`)."""
    add_event(session, OutboxMessage, new_event(type_, data, user_id))
