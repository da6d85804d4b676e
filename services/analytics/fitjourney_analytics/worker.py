"""Standalone event worker (`python -m fitjourney_analytics.worker`): outbox relay, consumers (report
building, cache invalidation, erasure) and the business gauges, no HTTP."""

from __future__ import annotations

import asyncio
import logging
import signal

from starlette.datastructures import State

from fitjourney_analytics.main import analytics_backends
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_common.observability.logging import configure_logging

log = logging.getLogger(__name__)


class _Host:
    """What the backends need of an app: somewhere to put them (`.state`)."""

    def __init__(self) -> None:
        self.state = State()


async def run_worker(settings: AnalyticsSettings | None = None, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (by default: SIGTERM or SIGINT)."""
    settings = settings or AnalyticsSettings()
    configure_logging(settings.log_level, settings.log_json, settings.service_name)
    loop = asyncio.get_running_loop()
    own_signals = stop is None
    stop = stop or asyncio.Event()
    if own_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with analytics_backends(_Host(), settings, run_event_worker=True):
            await stop.wait()
            log.info("analytics worker stopping")
    finally:
        if own_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)


def main() -> None:
    asyncio.run(run_worker())


if __name__ == "__main__":
    main()
