"""What each domain hands to a data export: its rows as stored (column by column, so a new column is
exported without anyone remembering) and the stored files they point at. Each domain declares an
`Exporter`; the account domain asks every one of them and zips the answers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_core.settings import CoreSettings
from fitjourney_core.writes.repository import all_rows_of_user


@dataclass
class MediaFile:
    """A stored file a record points at: `record[field]` names its `path` in the zip (None once gone)."""

    path: str
    key: str
    record: dict[str, Any]
    field: str


@dataclass
class ExportPart:
    """A domain's records (a list, or a single record such as the profile, or None) and their files."""

    records: list[dict[str, Any]] | dict[str, Any] | None
    media: list[MediaFile] = field(default_factory=list)


ReadPart = Callable[[AsyncSession, uuid.UUID, CoreSettings], Awaitable[ExportPart]]


@dataclass(frozen=True)
class Exporter:
    name: str  # the JSON file in the zip, without `.json`
    model: type[Any]  # the table it exports (a test holds every user-owned table to an exporter or a reason)
    read: ReadPart


def columns(row: Any, *, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A row as stored, column by column, its id first; without the owner, which is the same on every row."""
    keys = sorted((attr.key for attr in sa_inspect(type(row)).column_attrs), key=lambda key: key != "id")
    return {key: getattr(row, key) for key in keys if key not in leave_out and key != "user_id"}


def extension(key: str) -> str:
    return PurePosixPath(key).suffix or ".bin"


def plain_exporter(name: str, model: type[Any]) -> Exporter:
    """Every row of the user's in `model` (deleted ones included: we still hold them), as stored."""

    async def read(session: AsyncSession, user_id: uuid.UUID, settings: CoreSettings) -> ExportPart:
        return ExportPart([columns(row) for row in await all_rows_of_user(session, model, user_id)])

    return Exporter(name, model, read)
