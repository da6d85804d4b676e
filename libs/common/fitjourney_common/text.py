"""What request bodies accept, once, for every service: text PostgreSQL can store and people can read,
and numbers that are numbers.

- `TextRequestModel`: base of request bodies. Every string in it (nested lists and dicts too) refuses NUL
  and other control characters (a NUL was a 500 on PostgreSQL while SQLite stored it), single-line unless
  the field is `MultiLineText`; any other text is stored as sent, code point for code point (no Unicode
  normalisation: NFC and NFD forms stay distinct). Number fields refuse NaN and ±Infinity (JSON literals
  Python's parser accepts, and 1e400, which it reads as infinity), `true`/`false` and numbers in strings;
  date and date-time fields refuse numbers (pydantic would read them as Unix times).
- `Text` / `MultiLineText`: the same rule as a type, for query parameters and for marking the fields
  where line breaks and tabs make sense (a journal entry, notes); the latter say `x-multi-line: true` in
  the OpenAPI document.
- `SchemaExtra` / `refers_to`: keys for the OpenAPI schema of a type, e.g. that a string names an entry
  of a list (`x-refers-to`: an activity code, a time zone) rather than being free text.
"""

from __future__ import annotations

import typing
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

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


@dataclass(frozen=True)
class SchemaExtra:
    """Annotated metadata adding keys to a type's OpenAPI schema; unlike `Field(json_schema_extra=)` it
    also reaches a type used inside `X | None` or a list. Pairs, not a dict: `Annotated` hashes its metadata."""

    keys: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, keys: Mapping[str, Any]) -> SchemaExtra:
        return cls(tuple(keys.items()))

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(dict(self.keys))
        return schema


def refers_to(what: str) -> SchemaExtra:
    """A string that must name an entry of `what` (a catalogue, the time-zone database): not free text."""
    return SchemaExtra.of({"x-refers-to": what})


@dataclass(frozen=True)
class _MultiLine(SchemaExtra):
    """Marks a field whose text may hold line breaks and tabs."""


MULTI_LINE = _MultiLine((("x-multi-line", True),))
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


def _expects(annotation: Any, types: tuple[type, ...]) -> bool:
    """The field takes one of `types` (also inside `X | None` or `Annotated`); bool is not an int here."""
    if annotation in types:
        return True
    return annotation is not bool and any(_expects(arg, types) for arg in typing.get_args(annotation)
                                          if arg is not type(None))


# What pydantic's lax mode would turn into a value of the field's type, though a client sending it has a
# bug to hear about: `true` -> 1, "12" -> 12, 12345 -> 1970-01-01T03:25:45Z.
_REFUSED_INPUTS: tuple[tuple[tuple[type, ...], tuple[type, ...], str], ...] = (
    ((int, float), (bool, str), "Input should be a number"),
    ((datetime, date), (bool, int, float), "Input should be a date or date-time string (ISO 8601)"),
)


class TextRequestModel(BaseModel):
    """Base of request bodies: no field's text holds a control character (line breaks and tabs only in
    `MultiLineText` fields), no number is NaN, infinite, a boolean or a string. Nested models check their
    own fields."""

    model_config = ConfigDict(allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_lax_conversions(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool | str | int | float):
            field = cls.model_fields.get(info.field_name or "")
            for types, refused, message in _REFUSED_INPUTS:
                if field is not None and isinstance(value, refused) and _expects(field.annotation, types):
                    raise PydanticCustomError("lax_input_refused", message)  # said as pydantic says its own
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        multiline = field is not None and (_is_multi_line(field.annotation)
                                           or any(meta is MULTI_LINE for meta in field.metadata))
        _check_strings(value, multiline)
        return value
