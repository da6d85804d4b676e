"""Settings of the skeleton service, read from the environment only (12-factor)."""

from __future__ import annotations

from pydantic import Field

from fitjourney_common.settings import CommonSettings

API_PREFIX = "/api/v1/skeleton"


class SkeletonSettings(CommonSettings):
    """The service's own knobs on top of the shared ones (DATABASE_URL, REDIS_URL, BROKER_URL, ...)."""

    service_name: str = "skeleton"
    note_max_per_page: int = Field(default=100, ge=1)
