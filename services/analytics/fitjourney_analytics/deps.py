"""Request dependencies of the analytics service: the read session on core, the cache, settings, the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.coredata.repository import CoreReadRepository
from fitjourney_analytics.dashboard.cache import DashboardCache
from fitjourney_analytics.runtime import AnalyticsRuntimeDep
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_common.db.engine import bind_user
from fitjourney_common.security import CurrentUser
from fitjourney_common.storage import ObjectStore


async def get_settings(runtime: AnalyticsRuntimeDep) -> AnalyticsSettings:
    return runtime.settings


async def get_store(runtime: AnalyticsRuntimeDep) -> ObjectStore:
    return runtime.store


async def get_dashboard_cache(runtime: AnalyticsRuntimeDep) -> DashboardCache:
    return runtime.dashboard_cache


async def get_now(request: Request) -> datetime:
    """The current instant; tests freeze it by setting `app.state.clock`."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


async def get_core_reader(runtime: AnalyticsRuntimeDep, principal: CurrentUser,
                          ) -> AsyncIterator[CoreReadRepository]:
    """Core's data through the read-only role, bound to the caller (the reads filter by owner as well)."""
    async with runtime.read_session_factory() as session:
        await bind_user(session, principal.user_id)
        yield CoreReadRepository(session)


async def get_admin_read_session(runtime: AnalyticsRuntimeDep) -> AsyncIterator[AsyncSession]:
    """Core's data across users, for the business metrics (admins only: the router requires the role)."""
    async with runtime.read_session_factory() as session:
        yield session


SettingsDep = Annotated[AnalyticsSettings, Depends(get_settings)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
NowDep = Annotated[datetime, Depends(get_now)]
DashboardCacheDep = Annotated[DashboardCache, Depends(get_dashboard_cache)]
CoreReaderDep = Annotated[CoreReadRepository, Depends(get_core_reader)]
AdminReadSessionDep = Annotated[AsyncSession, Depends(get_admin_read_session)]
