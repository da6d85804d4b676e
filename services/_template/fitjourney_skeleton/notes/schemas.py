"""Request and response bodies of notes: `XCreate` in, `XRead` out (never the ORM object)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from fitjourney_common.text import MultiLineText, TextRequestModel


class NoteCreate(TextRequestModel):
    # A misspelt field is an error the client should see, not a value silently ignored.
    model_config = ConfigDict(extra="forbid")

    # Line breaks are fine in a note; every other control character is refused (422 naming the field).
    text: MultiLineText = Field(min_length=1, max_length=500)


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    text: str
    created_at: datetime
