"""What every request body accepts (`TextRequestModel`), and what its OpenAPI schema says about it."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

import pytest
from pydantic import Field, ValidationError

from fitjourney_common.text import MultiLineText, TextRequestModel, refers_to


class Entry(TextRequestModel):
    title: str = "t"
    notes: MultiLineText | None = None
    zone: Annotated[str, refers_to("the IANA time-zone database")] | None = None
    grams: float | None = Field(default=None, ge=0, le=5000)
    count: int | None = Field(default=None, ge=0, le=10)
    done: bool | None = None
    at: datetime | None = None


def refusal(**fields: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as raised:
        Entry.model_validate(fields)
    error = raised.value.errors()[0]
    return ".".join(map(str, error["loc"])), error["msg"]


@pytest.mark.parametrize("text", ["'; DROP TABLE x;--", "cafe\u0301", "caf\u00e9", "\u202eevil", "\U0001f600",
                                  "\uff26\uff49\uff54"])
def test_text_is_kept_as_sent(text: str) -> None:
    assert Entry(title=text).title == text  # no Unicode normalisation: NFD stays NFD


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f", "\x85", "\n", "\ud800"])
def test_control_characters_and_lone_surrogates_are_refused(char: str) -> None:
    assert refusal(title=f"a{char}b")[0] == "title"


def test_line_breaks_and_tabs_only_in_multi_line_text() -> None:
    assert Entry(notes="one\ntwo\r\n\tthree").notes == "one\ntwo\r\n\tthree"
    assert refusal(notes="one\x00two")[0] == "notes"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, True, "12", 10**400])
def test_a_number_is_a_finite_json_number(value: object) -> None:
    assert refusal(grams=value)[0] == "grams"


@pytest.mark.parametrize("value", [True, "3", 1e308])
def test_an_integer_is_an_integer(value: object) -> None:
    assert refusal(count=value)[0] == "count"


@pytest.mark.parametrize("value", [12345, 1.5e9, True])
def test_a_date_time_is_not_a_unix_time(value: object) -> None:
    assert refusal(at=value) == ("at", "Input should be a date or date-time string (ISO 8601)")


def test_booleans_and_strings_keep_their_own_types() -> None:
    entry = Entry(done=True, title="12", grams=0, count=3, at="2026-11-25T06:00:00Z")  # type: ignore[arg-type]
    assert (entry.done, entry.title, entry.grams, entry.count) == (True, "12", 0, 3)


def test_the_schema_says_which_text_is_multi_line_and_which_names_an_entry() -> None:
    properties = Entry.model_json_schema()["properties"]
    assert properties["notes"]["anyOf"][0]["x-multi-line"] is True
    assert properties["zone"]["anyOf"][0]["x-refers-to"] == "the IANA time-zone database"
    assert "x-multi-line" not in properties["title"] and "x-refers-to" not in properties["title"]
