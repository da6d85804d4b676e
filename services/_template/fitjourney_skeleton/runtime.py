"""The skeleton's runtime: the backends it declares, plus parts of its own (none yet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fitjourney_common.runtime import BackendNeeds, Runtime
from fitjourney_skeleton.db import SCHEMA, OutboxMessage
from fitjourney_skeleton.settings import SkeletonSettings

# Declare only what the service uses: `object_store=True` for S3, `read_only_database=True` to read
# another service's data through READ_DATABASE_URL.
NEEDS = BackendNeeds(schema=SCHEMA, outbox_model=OutboxMessage)


@dataclass(kw_only=True)
class SkeletonRuntime(Runtime[SkeletonSettings]):
    """What a request, an event handler or the worker receives; add the service's long-lived parts here."""


def skeleton_runtime(runtime: Any) -> SkeletonRuntime:
    """`runtime` as this service's runtime (for dependencies that receive the common type)."""
    assert isinstance(runtime, SkeletonRuntime)
    return runtime
