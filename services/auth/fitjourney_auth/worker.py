"""Worker entry point (`python -m fitjourney_auth.worker`): outbox relay and consumers, no HTTP API.

For deployments that run them as their own process (then set RUN_EVENT_WORKER=false on the API).
"""

from __future__ import annotations

import asyncio
import signal
from types import SimpleNamespace

from fastapi import FastAPI

from fitjourney_auth.consumers import subscriptions
from fitjourney_auth.models import SCHEMA, OutboxMessage
from fitjourney_auth.sessions.cache import RefreshTokenCache
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.observability.logging import configure_logging
from fitjourney_common.runtime import open_backends


async def run(settings: AuthSettings) -> None:
    holder = FastAPI()  # open_backends puts the backends on an app's state; this one serves nothing
    subs = subscriptions(holder.state, settings.events_queue_prefix)
    async with open_backends(holder, settings, SCHEMA, outbox_model=OutboxMessage, subscriptions=subs,
                             run_event_worker=True) as backends:
        holder.state.auth = SimpleNamespace(refresh_cache=RefreshTokenCache(backends.redis, settings.service_name))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()


def main() -> None:
    settings = AuthSettings()
    configure_logging(settings.log_level, settings.log_json, f"{settings.service_name}-worker")
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
