"""Analytics' runtime: its own schema and outbox, core read through READ_DATABASE_URL, the object store,
and the dashboard cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends

from fitjourney_analytics.dashboard.cache import DashboardCache
from fitjourney_analytics.models import SCHEMA, OutboxMessage
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_common.runtime import BackendNeeds, Runtime, runtime_dependency

NEEDS = BackendNeeds(schema=SCHEMA, outbox_model=OutboxMessage, object_store=True, read_only_database=True,
                     read_schema="core")


@dataclass(kw_only=True)
class AnalyticsRuntime(Runtime[AnalyticsSettings]):
    """What an analytics request, event handler or worker receives (see `main.open_analytics_runtime`)."""

    dashboard_cache: DashboardCache


async def analytics_runtime(runtime: Any = Depends(runtime_dependency)) -> AnalyticsRuntime:
    assert isinstance(runtime, AnalyticsRuntime)
    return runtime


AnalyticsRuntimeDep = Annotated[AnalyticsRuntime, Depends(analytics_runtime)]
