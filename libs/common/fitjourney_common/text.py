"""Text PostgreSQL can store and people can read: request strings refuse NUL and other control
characters (a NUL was a 500 on PostgreSQL while SQLite stored it), once, for every service.

- `TextRequestModel`: base of request bodies; every string in it (nested lists and dicts too) is
  checked, single-line unless the field is `MultiLineText`.
- `Text` / `MultiLineText`: the same rule as a type, for query parameters and for marking the fields
  where line breaks and tabs make sense (a journal entry, notes).
"""

from __future__ import annotations

import typing
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ValidationInfo, field_validator

# Allowed in multi-line text only; every other control character (and a lone surrogate, which no
# UTF-8 text can hold) is refused everywhere.
LINE_BREAKS_AND_TABS = frozenset("\n\r\t")


def refuse_control_characters(value: str, *, multiline: bool = False) -> str:
    for char in value:
        if multiline and char in LINE_BREAKS_AND_TABS:
            continue
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError("is not valid Unicode text")
        if category == "Cc":
            raise ValueError("must not contain control characters" if multiline
                             else "must be one line without control characters")
    return value


def _single_line(value: str) -> str:
    return refuse_control_characters(value)


def _multi_line(value: str) -> str:
    return refuse_control_characters(value, multiline=True)


class _MultiLine:
    """Marks a field whose text may hold line breaks and tabs."""


MULTI_LINE = _MultiLine()
Text = Annotated[str, AfterValidator(_single_line)]
MultiLineText = Annotated[str, AfterValidator(_multi_line), MULTI_LINE]


def _is_multi_line(annotation: Any) -> bool:
    if any(meta is MULTI_LINE for meta in getattr(annotation, "__metadata__", ())):
        return True
    return any(_is_multi_line(arg) for arg in typing.get_args(annotation))


def _check_strings(value: Any, multiline: bool) -> None:
    if isinstance(value, str):
        refuse_control_characters(value, multiline=multiline)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_strings(item, multiline)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, False)
            _check_strings(item, multiline)


class TextRequestModel(BaseModel):
    """Base of request bodies: no field's text holds a control character (line breaks and tabs only in
    `MultiLineText` fields). Nested models check their own fields."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        multiline = field is not None and (_is_multi_line(field.annotation)
                                           or any(meta is MULTI_LINE for meta in field.metadata))
        _check_strings(value, multiline)
        return value
