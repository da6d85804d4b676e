"""Request and response shapes of the data export and of account erasure."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from fitjourney_core.schemas import RequestModel, UtcDatetime

ExportStatus = Literal["pending", "ready", "failed"]


class ExportRead(BaseModel):
    export_id: uuid.UUID
    status: ExportStatus
    url: str | None = Field(default=None, description="Presigned download link of the zip, once ready")
    expires_at: UtcDatetime | None = Field(default=None,
                                           description="When `url` stops working; GET again for a new one")
    created_at: UtcDatetime
    finished_at: UtcDatetime | None = None


class AccountDeletion(RequestModel):
    """The explicit confirmation that a stray DELETE cannot carry by accident."""

    confirm: Literal["DELETE"] = Field(description='Exactly "DELETE"')


class DeletionScheduled(BaseModel):
    status: Literal["scheduled"] = "scheduled"
