"""Request and response shapes of journal entries (one per local date)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from fitjourney_common.text import MultiLineText
from fitjourney_core.schemas import ReadModel, RequestModel, UtcDatetime

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class JournalWrite(RequestModel):
    """The whole entry of a date: fields left out are cleared (PUT replaces)."""

    id: uuid.UUID | None = Field(default=None, description="Client-generated id, used when the entry is new")
    mood: int | None = Field(default=None, ge=1, le=5)
    energy: int | None = Field(default=None, ge=1, le=5)
    text: MultiLineText = Field(default="", max_length=10_000)
    tags: list[Tag] = Field(default_factory=list, max_length=20)

    @field_validator("tags")
    @classmethod
    def _distinct(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(tags))


class JournalRead(ReadModel):
    id: uuid.UUID
    date: date
    mood: int | None
    energy: int | None
    text: str
    tags: list[str]
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime


class JournalPage(BaseModel):
    items: list[JournalRead]
    next_cursor: str | None = None
