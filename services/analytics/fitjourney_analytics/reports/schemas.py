"""Request and response models of reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fitjourney_common.text import TextRequestModel


class ReportCreate(TextRequestModel):
    """`weekly`: the Monday-based week starting at `from` (default: last full week); `monthly`: the calendar
    month of `from` (default: last full month); `custom`: `from` to `to`, both required."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", json_schema_extra={"examples": [
        {"kind": "custom", "from": "2026-11-01", "to": "2026-11-30", "format": "csv"}]})

    kind: Literal["weekly", "monthly", "custom"]
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    format: Literal["csv", "pdf"] = "pdf"


class ReportAccepted(BaseModel):
    id: uuid.UUID
    status: Literal["pending", "ready", "failed"]


class ReportRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: uuid.UUID
    status: Literal["pending", "ready", "failed"]
    kind: str
    format: str
    from_: date = Field(alias="from")
    to: date
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None
    error: str | None
