"""Base classes of the API schemas: requests refuse unknown fields, reads build from ORM objects."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestSchema(BaseModel):
    # A misspelt field is an error the client should see, not a value silently ignored.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)
