"""Runs data exports in the background of the replica that accepted them: read, zip, upload, announce.

Why an after-commit task on this event loop and not an event through the outbox and the broker: the
export needs no other service, so routing it through RabbitMQ would only add a contract to the shared
library (core talking to itself), a round trip, and redeliveries of a job that, should it exhaust memory,
would take down one consumer after another. What the broker would add — surviving the death of the
replica — is covered more simply: a job never runs past `export_timeout_seconds`, so an export still
pending after that (plus a margin) was lost, reads as `failed`, and no longer blocks a new request. The
same code runs unchanged in embedded dev mode (in-process bus, SQLite, local folder).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.engine import bind_user
from fitjourney_common.db.session import run_after_commit_callbacks
from fitjourney_common.runtime import Runtime
from fitjourney_core import objects
from fitjourney_core.account import parts, service
from fitjourney_core.account.archive import build_zip
from fitjourney_core.objects import EXPORTS
from fitjourney_core.settings import CoreSettings

log = logging.getLogger(__name__)
ZIP_CONTENT_TYPE = "application/zip"


class ExportRunner:
    """Starts export jobs as tasks and keeps them referenced (the loop holds tasks only weakly)."""

    def __init__(self, runtime: Runtime[CoreSettings]) -> None:
        self._runtime = runtime
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, user_id: uuid.UUID, export_id: uuid.UUID) -> None:
        task = asyncio.get_running_loop().create_task(self.run(user_id, export_id), name=f"export-{export_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def close(self, grace_seconds: float = 10.0) -> None:
        """At shutdown: let running exports finish for a moment, then cancel them (they are marked failed)."""
        if not self._tasks:
            return
        _, still_running = await asyncio.wait(set(self._tasks), timeout=grace_seconds)
        for task in still_running:
            task.cancel()
        if still_running:
            await asyncio.wait(still_running)

    @contextlib.asynccontextmanager
    async def _transaction(self, user_id: uuid.UUID) -> AsyncIterator[AsyncSession]:
        """A transaction bound to the user (RLS), committed on success; then its after-commit steps run."""
        async with self._runtime.session_factory() as session:
            await bind_user(session, user_id)
            async with session.begin():
                yield session
            await run_after_commit_callbacks(session)

    async def run(self, user_id: uuid.UUID, export_id: uuid.UUID) -> None:
        settings = self._runtime.settings
        try:
            await asyncio.wait_for(self._produce(user_id, export_id), settings.export_timeout_seconds)
        except asyncio.CancelledError:
            await self._fail(user_id, export_id, "interrupted by a shutdown")
            raise
        except parts.PartsMissing as exc:
            log.error("export %s of user %s: %s", export_id, user_id, exc)
            await self._fail(user_id, export_id, str(exc))
        except TimeoutError:
            log.error("export %s of user %s ran out of time", export_id, user_id)
            await self._fail(user_id, export_id, "not finished in time")
        except Exception:
            log.exception("export %s of user %s failed", export_id, user_id)
            await self._fail(user_id, export_id, "error")

    async def _produce(self, user_id: uuid.UUID, export_id: uuid.UUID) -> None:
        state = self._runtime
        async with self._transaction(user_id) as session:
            content = await service.read_user_data(session, state.settings, user_id, export_id,
                                                   utcnow())
        participants = state.settings.export_participants
        for name, tables in (await parts.collect_parts(state.store, user_id, export_id, participants,
                                                        state.settings.export_parts_timeout_seconds)).items():
            for table, records in tables.items():
                content.resources[f"{name}/{table}"] = records
        await service.fetch_media(state.store, content)
        archive = await asyncio.to_thread(build_zip, content)
        key = await objects.put(state.store, EXPORTS, user_id, service.export_name(export_id), archive,
                                ZIP_CONTENT_TYPE)
        try:
            async with self._transaction(user_id) as session:
                completed = await service.complete_export(session, state.redis, user_id, export_id, key)
        except BaseException:
            await _delete_quietly(state.store, key)
            raise
        await parts.delete_parts(state.store, user_id, export_id, participants)
        if not completed:
            # The account was erased (or the export given up) while we worked: leave nothing behind.
            await state.store.delete(key)
            log.info("export %s of user %s no longer wanted; its zip was removed", export_id, user_id)

    async def _fail(self, user_id: uuid.UUID, export_id: uuid.UUID, reason: str) -> None:
        try:
            async with self._transaction(user_id) as session:
                await service.fail_export(session, user_id, export_id, reason)
        except Exception:  # the deadline marks it failed anyway when it is next read
            log.exception("export %s could not be marked failed", export_id)


async def _delete_quietly(store: Any, key: str) -> None:
    # A zip no row points at would only be found again by the account's erasure.
    with contextlib.suppress(Exception):
        await store.delete(key)
