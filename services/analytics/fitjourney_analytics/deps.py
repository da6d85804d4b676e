"""Request dependencies of the analytics service: the read session on core, Redis, settings, the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.coredata.repository import CoreReadRepository
from fitjourney_analytics.dashboard.cache import DashboardCache
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_common.db.engine import bind_user
from fitjourney_common.security import CurrentUser
from fitjourney_common.storage import ObjectStore


def get_settings(request: Request) -> AnalyticsSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_store(request: Request) -> ObjectStore:
    return request.app.state.store  # type: ignore[no-any-return]


def get_now(request: Request) -> datetime:
    """The current instant; tests freeze it by setting `app.state.clock`."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def get_dashboard_cache(request: Request) -> DashboardCache:
    return request.app.state.dashboard_cache  # type: ignore[no-any-return]


async def get_core_reader(request: Request, principal: CurrentUser) -> AsyncIterator[CoreReadRepository]:
    """Core's data through the read-only role, bound to the caller (the reads filter by owner as well)."""
    async with request.app.state.read_session_factory() as session:
        await bind_user(session, principal.user_id)
        yield CoreReadRepository(session)


async def get_admin_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Core's data across users, for the business metrics (admins only: the router requires the role)."""
    async with request.app.state.read_session_factory() as session:
        yield session


SettingsDep = Annotated[AnalyticsSettings, Depends(get_settings)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
NowDep = Annotated[datetime, Depends(get_now)]
DashboardCacheDep = Annotated[DashboardCache, Depends(get_dashboard_cache)]
CoreReaderDep = Annotated[CoreReadRepository, Depends(get_core_reader)]
AdminReadSessionDep = Annotated[AsyncSession, Depends(get_admin_read_session)]
