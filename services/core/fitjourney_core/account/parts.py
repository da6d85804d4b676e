"""Other services' share of the one export and erasure (`fitjourney_common.gdpr`): their export parts,
kept beside the user's exports until the zip is built, and their erasure completions in the audit log."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.errors import NotFound
from fitjourney_common.events.contracts import UserErasureCompleted, UserExportPartReady
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.storage import ObjectStore
from fitjourney_core import objects
from fitjourney_core.account import repository
from fitjourney_core.objects import EXPORTS

if TYPE_CHECKING:
    from fitjourney_core.runtime import CoreRuntime

POLL_SECONDS = 0.5


class PartsMissing(Exception):
    """Some participants did not send their part before the deadline."""

    def __init__(self, services: list[str]) -> None:
        super().__init__(f"no export part from {', '.join(services)} in time")
        self.services = services


def part_name(export_id: uuid.UUID, service: str) -> str:
    return f"{export_id}.part-{service}.json"


async def handle_export_part_ready(session: AsyncSession, envelope: EventEnvelope, runtime: CoreRuntime) -> None:
    part = UserExportPartReady.model_validate(envelope.data)
    pending = await repository.pending_export(session, part.user_id)
    if pending is None or pending.id != part.export_id:
        return  # that export finished, failed or was erased meanwhile: keep nothing of the user's
    await objects.put(runtime.store, EXPORTS, part.user_id, part_name(part.export_id, part.service),
                      json.dumps(part.tables).encode(), "application/json")
    repository.add_audit_entry(session, part.user_id, "export.part_received", export_id=str(part.export_id),
                               service=part.service)


async def handle_erasure_completed(session: AsyncSession, envelope: EventEnvelope, _runtime: CoreRuntime) -> None:
    done = UserErasureCompleted.model_validate(envelope.data)
    repository.add_audit_entry(session, done.user_id, "erasure.completed", service=done.service, rows=done.rows,
                               objects=done.objects)


async def collect_parts(store: ObjectStore, user_id: uuid.UUID, export_id: uuid.UUID, services: list[str],
                        timeout_seconds: float) -> dict[str, dict[str, Any]]:
    """Each participant's tables once all arrived; PartsMissing naming the late ones after the timeout."""
    deadline = time.monotonic() + timeout_seconds
    parts: dict[str, dict[str, Any]] = {}
    while True:
        for service in services:
            if service in parts:
                continue
            try:
                raw = await store.get(EXPORTS.key(user_id, part_name(export_id, service)))
            except NotFound:
                continue
            parts[service] = json.loads(raw)
        missing = [service for service in services if service not in parts]
        if not missing:
            return parts
        if time.monotonic() >= deadline:
            raise PartsMissing(missing)
        await asyncio.sleep(POLL_SECONDS)


async def delete_parts(store: ObjectStore, user_id: uuid.UUID, export_id: uuid.UUID, services: list[str]) -> None:
    for service in services:
        await store.delete(EXPORTS.key(user_id, part_name(export_id, service)))
