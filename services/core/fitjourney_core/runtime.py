"""Core's runtime: the backends it declares (database, outbox, object store) plus its own parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fitjourney_common.runtime import BackendNeeds, Runtime
from fitjourney_core.db import SCHEMA, OutboxMessage
from fitjourney_core.settings import CoreSettings
from fitjourney_core.writes.service import WriteContext

if TYPE_CHECKING:  # the export job imports the domains, which import this module for their deps
    from fitjourney_core.account.export_job import ExportRunner

NEEDS = BackendNeeds(schema=SCHEMA, outbox_model=OutboxMessage, object_store=True)


@dataclass(kw_only=True)
class CoreRuntime(Runtime[CoreSettings]):
    """What a core request, event handler or worker receives (see `fitjourney_core.main.open_core_runtime`)."""

    exports: ExportRunner
    # The write path's binding (summary cache, the user's time zone) for every session core opens.
    writes: WriteContext


def core_runtime(runtime: Any) -> CoreRuntime:
    """`runtime` as core's runtime (for dependencies that receive the common type)."""
    assert isinstance(runtime, CoreRuntime)
    return runtime
