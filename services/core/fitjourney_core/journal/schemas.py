"""Request and response shapes of journal entries (one per local date)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from fitjourney_common.text import MultiLineText
from fitjourney_core.schemas import ReadModel, RequestModel, UtcDatetime

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class JournalWrite(RequestModel):
    """The whole entry of a date: fields left out are cleared (PUT replaces)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "mood": 4, "energy": 3, "text": "Ran a personal best", "tags": ["running"]}]})
    id: uuid.UUID | None = Field(default=None, description="Client-generated id, used when the entry is new")
    mood: int | None = Field(default=None, ge=1, le=5)
    energy: int | None = Field(default=None, ge=1, le=5)
    text: MultiLineText = Field(default="", max_length=10_000)
    tags: list[Tag] = Field(default_factory=list, max_length=20)

    @field_validator("tags")
    @classmethod
    def _distinct(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(tags))


class JournalPatch(RequestModel):
    """JSON merge patch of an entry: fields sent replace the stored ones, `null` clears one, fields left out stay."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"mood": 5}]})
    mood: int | None = Field(default=None, ge=1, le=5)
    energy: int | None = Field(default=None, ge=1, le=5)
    text: MultiLineText | None = Field(default=None, max_length=10_000)
    tags: list[Tag] | None = Field(default=None, max_length=20)

    def merged_into(self, current: JournalRead) -> JournalWrite:
        changes = self.model_dump(exclude_unset=True)
        # `null` clears: no text is the empty text, no tags the empty list.
        cleared = {"text": "", "tags": []}
        changes = {k: cleared.get(k) if v is None and k in cleared else v for k, v in changes.items()}
        kept = current.model_dump(include={"mood", "energy", "text", "tags"})
        return JournalWrite.model_validate({**kept, **changes})


class JournalRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", "date": "2026-11-25", "mood": 4, "energy": 3,
        "text": "Ran a personal best", "tags": ["running"], "version": 1, "created_at": "2026-11-25T21:00:00Z",
        "updated_at": "2026-11-25T21:00:00Z"}]})

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
