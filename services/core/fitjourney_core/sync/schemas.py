"""Shapes of the changes feed."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from fitjourney_core.schemas import UtcDatetime


class ChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    resource: str
    resource_id: uuid.UUID
    op: Literal["upsert", "delete"]
    version: int
    changed_at: UtcDatetime
    payload: dict[str, Any] | None


class ChangesPage(BaseModel):
    changes: list[ChangeRead]
    # Opaque to clients: send it back as `since` to continue after the last change served.
    next_cursor: str
    has_more: bool
