"""What every auth domain shares: `Annotated` dependencies (runtime, settings, client, cookie choice) and
`publish`, which puts an event in the outbox in the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Header, Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.client import ClientInfo
from fitjourney_auth.models import OutboxMessage
from fitjourney_auth.runtime import AuthRuntime, auth_runtime
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.events.envelope import new_event
from fitjourney_common.events.outbox import add_event
from fitjourney_common.runtime import RuntimeDep


async def get_auth_runtime(runtime: RuntimeDep) -> AuthRuntime:
    return auth_runtime(runtime)


async def get_settings(runtime: AuthRuntimeDep) -> AuthSettings:
    return runtime.settings


AuthRuntimeDep = Annotated[AuthRuntime, Depends(get_auth_runtime)]
SettingsDep = Annotated[AuthSettings, Depends(get_settings)]
ClientDep = Annotated[ClientInfo, Depends(ClientInfo.from_request)]


async def wants_refresh_cookie(
    cookie: Annotated[bool, Query(description="Send the refresh token as an HttpOnly cookie")] = False,
    x_refresh_cookie: Annotated[str | None, Header(description="`1` = same as ?cookie=true")] = None,
) -> bool:
    return cookie or (x_refresh_cookie or "").strip().lower() in ("1", "true", "yes")


WantsCookie = Annotated[bool, Depends(wants_refresh_cookie)]


def publish(session: AsyncSession, type_: str, data: BaseModel | dict[str, Any], user_id: uuid.UUID) -> None:
    """Put an event in the outbox, in the caller's transaction (validated against its contract)."""
    add_event(session, OutboxMessage, new_event(type_, data, user_id))
