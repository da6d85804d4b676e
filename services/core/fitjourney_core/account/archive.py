"""Builds the export zip: one JSON file per resource, the user's pictures under `media/`, a README manifest."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fitjourney_core.portability import MediaFile

README_NAME = "README.txt"


@dataclass
class ExportContent:
    """Everything that goes into one user's export, gathered before the zip is written."""

    user_id: uuid.UUID
    export_id: uuid.UUID
    exported_at: datetime
    # JSON file stem → its records (a list), or a single record (the profile; None when there is none).
    resources: dict[str, Any] = field(default_factory=dict)
    # Stored files the records point at; `media` gets their bytes (path inside the zip → bytes).
    media_files: list[MediaFile] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    # Media the records point at but the store no longer holds.
    missing_media: list[str] = field(default_factory=list)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value: Any) -> bytes:
    return json.dumps(value, default=_json_default, ensure_ascii=False, indent=2).encode()


def _count(records: Any) -> int:
    if isinstance(records, list):
        return len(records)
    return 0 if records is None else 1


def manifest(content: ExportContent) -> str:
    lines = [
        "FitJourney data export",
        "",
        f"User id:      {content.user_id}",
        f"Export id:    {content.export_id}",
        f"Exported at:  {content.exported_at.isoformat()}",
        "",
        "Files (JSON, UTF-8; times in UTC, ISO 8601):",
    ]
    width = max([len(f"{name}.json") for name in content.resources] + [len("media/")])
    for name, records in content.resources.items():
        count = _count(records)
        lines.append(f"  {name + '.json':<{width}}  {count} record{'' if count == 1 else 's'}")
    lines.append(f"  {'media/':<{width}}  {len(content.media)} file{'' if len(content.media) == 1 else 's'}"
                 " (your avatar and food photos)")
    if content.missing_media:
        lines.append(f"  ({len(content.missing_media)} photo(s) referenced by your records were already gone)")
    lines += [
        "",
        "Records whose `deleted_at` is set are ones you deleted. They are kept (without their content for",
        "journal entries) so that your other devices learn about the deletion when they sync, and they are",
        "erased with everything else when you delete your account.",
        "Journal text is stored encrypted; it is decrypted for you here.",
        "",
    ]
    return "\n".join(lines)


def build_zip(content: ExportContent) -> bytes:
    """The zip as bytes (CPU-bound: run it in a worker thread)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(README_NAME, manifest(content))
        for name, records in content.resources.items():
            archive.writestr(f"{name}.json", to_json(records))
        for path, data in content.media.items():
            # Pictures are compressed already: storing them as they are saves time and nothing else.
            archive.writestr(zipfile.ZipInfo(path, date_time=content.exported_at.timetuple()[:6]), data,
                             compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()
