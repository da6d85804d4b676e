"""Shape of the insights endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field


class InsightRead(BaseModel):
    period: Literal["week", "month"]
    start: dt.date
    end: dt.date
    summary: str
    source: Literal["openai", "template"] = Field(description="who wrote the summary")
    model: str | None = Field(default=None, description="the OpenAI model, when source is openai")
    fallback_reason: str | None = Field(default=None, description="why the template was used")
    cached: bool = False
    numbers: dict[str, Any] = Field(description="the aggregated numbers the summary was written from")
