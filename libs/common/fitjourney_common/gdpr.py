"""One export and one erasure across services: what a service holding user data sends back to core.

Export: core publishes `user.export_requested {export_id, user_id}`; each participating service answers
with `user.export_part_ready {export_id, user_id, service, tables}` built by `export_part` from its rows
(the part travels in the event: each service keeps its own store and credentials, and a part is small,
bounded by PART_MAX_BYTES). Core waits for the parts of the services in its EXPORT_PARTICIPANTS and puts
each table in the zip as `<service>/<table>.json`. Erasure: on `user.deleted` each service deletes the
user's rows and objects and publishes `erasure_completed(...)`; core's audit log records each one.
A service joins by handling both events with these two helpers and being named in EXPORT_PARTICIPANTS.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect

from fitjourney_common.events.contracts import UserErasureCompleted, UserExportPartReady, UserExportRequested

PART_MAX_BYTES = 4 * 1024 * 1024


class ExportPartTooLarge(ValueError):
    """A part above PART_MAX_BYTES: it would not travel as one message (export it by reference instead)."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def record(row: Any, *, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """An ORM row column by column (a new column is exported without anyone remembering), JSON-ready."""
    return {attr.key: _plain(getattr(row, attr.key)) for attr in inspect(row).mapper.column_attrs
            if attr.key not in leave_out}


def export_part(service: str, request: UserExportRequested, tables: dict[str, list[dict[str, Any]]],
                ) -> UserExportPartReady:
    """The data of `user.export_part_ready`; ExportPartTooLarge above PART_MAX_BYTES."""
    part = UserExportPartReady(export_id=request.export_id, user_id=request.user_id, service=service,
                               tables={name: [{k: _plain(v) for k, v in row.items()} for row in rows]
                                       for name, rows in tables.items()})
    if len(json.dumps(part.tables, default=str)) > PART_MAX_BYTES:
        raise ExportPartTooLarge(f"{service}'s export part is over {PART_MAX_BYTES} bytes")
    return part


def erasure_completed(service: str, user_id: uuid.UUID, rows: int, objects: int = 0) -> UserErasureCompleted:
    return UserErasureCompleted(user_id=user_id, service=service, rows=rows, objects=objects)
