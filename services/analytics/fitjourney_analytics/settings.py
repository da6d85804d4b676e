"""Settings of the analytics service, read from the environment only."""

from __future__ import annotations

from pydantic import Field

from fitjourney_common.settings import CommonSettings

API_PREFIX = "/api/v1/analytics"


class AnalyticsSettings(CommonSettings):
    """Analytics' own knobs on top of the shared ones (DATABASE_URL, REDIS_URL, BROKER_URL, ...)."""

    service_name: str = "analytics"
    # READ_DATABASE_URL (shared setting): where core's tables are read, as the read-only role
    # `fitjourney_analytics_reader` (created by `make migrate`), on a replica in production; unset: DATABASE_URL.
    dashboard_cache_ttl_seconds: int = Field(default=600, ge=1)
    report_url_seconds: int = Field(default=900, ge=1, le=7 * 24 * 3600)
    report_max_days: int = Field(default=366, ge=1)
    # The Prometheus business gauges are recomputed this often (by the worker, or the API with RUN_EVENT_WORKER).
    business_metrics_refresh_seconds: float = Field(default=300.0, gt=0)
