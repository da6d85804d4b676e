"""Base classes of the API schemas (requests refuse unknown fields, reads build from ORM objects) and the
display-name type requests and provider profiles share."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from fitjourney_common.text import TextRequestModel

DISPLAY_NAME_MAX = 100


class RequestSchema(TextRequestModel):
    # A misspelt field is an error the client should see, not a value silently ignored; no field holds a
    # control character (TextRequestModel).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def has_control_characters(value: str) -> bool:
    # NUL cannot be stored in PostgreSQL text (it was a 500); line breaks and escapes have no place in a name.
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def _no_control_characters(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("must not contain control characters")
    return value


DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=DISPLAY_NAME_MAX),
                        AfterValidator(_no_control_characters)]
