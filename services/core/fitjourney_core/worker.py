"""Standalone event worker (`python -m fitjourney_core.worker`): outbox relay and consumers, no HTTP."""

from __future__ import annotations

import asyncio
import logging
import signal

from starlette.datastructures import State

from fitjourney_common.observability.logging import configure_logging
from fitjourney_common.runtime import open_backends
from fitjourney_core.consumers import build_subscriptions
from fitjourney_core.db import OutboxMessage
from fitjourney_core.partitions import ensure_partitions, maintain_partitions
from fitjourney_core.settings import CoreSettings

log = logging.getLogger(__name__)


class _Host:
    """What `open_backends` needs of an app: somewhere to put the backends (`.state`)."""

    def __init__(self) -> None:
        self.state = State()


async def run_worker(settings: CoreSettings | None = None, stop: asyncio.Event | None = None) -> None:
    """Relay the outbox and consume events until `stop` is set (by default: SIGTERM or SIGINT)."""
    settings = settings or CoreSettings()
    configure_logging(settings.log_level, settings.log_json, settings.service_name)
    loop = asyncio.get_running_loop()
    own_signals = stop is None
    stop = stop or asyncio.Event()
    if own_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    host = _Host()
    try:
        async with open_backends(
            host,  # type: ignore[arg-type]  # only `.state` is used
            settings, "core", outbox_model=OutboxMessage,
            subscriptions=build_subscriptions(host.state, settings.events_queue),
            with_object_store=True, run_event_worker=True,
        ) as backends:
            try:
                await ensure_partitions(backends.engine, settings.partition_months_ahead)
            except Exception:
                log.exception("partitions could not be created ahead; the DEFAULT partition takes new rows")
            await maintain_partitions(backends.engine, settings.partition_months_ahead,
                                      settings.partition_maintenance_seconds, stop)
            log.info("core worker stopping")
    finally:
        if own_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)


def main() -> None:
    asyncio.run(run_worker())


if __name__ == "__main__":
    main()
