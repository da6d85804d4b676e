"""Request and response shapes of the data export and of account erasure."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fitjourney_core.schemas import RequestModel, UtcDatetime

ExportStatus = Literal["pending", "ready", "failed"]


class ExportRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "export_id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "status": "ready",
        "url": "https://s3.example.com/fitjourney/exports/1a2b3c4d.zip?X-Amz-Signature=...",
        "expires_at": "2026-11-25T21:15:00Z", "created_at": "2026-11-25T21:00:00Z",
        "finished_at": "2026-11-25T21:00:04Z"}]})

    export_id: uuid.UUID
    status: ExportStatus
    url: str | None = Field(default=None, description="Presigned download link of the zip, once ready")
    expires_at: UtcDatetime | None = Field(default=None,
                                           description="When `url` stops working; GET again for a new one")
    created_at: UtcDatetime
    finished_at: UtcDatetime | None = None


class AccountDeletion(RequestModel):
    """The explicit confirmation that a stray DELETE cannot carry by accident."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"confirm": "DELETE"}]})
    confirm: Literal["DELETE"] = Field(description='Exactly "DELETE"')


class DeletionScheduled(BaseModel):
    status: Literal["scheduled"] = "scheduled"
