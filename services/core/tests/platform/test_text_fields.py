"""Text PostgreSQL cannot store (NUL, other control characters) is refused with a 422 naming the field,
on PostgreSQL and on make dev's SQLite alike; line breaks stay allowed where text is multi-line. Every
route's body and text query parameters are held to the shared string type, so a new one cannot forget."""

from __future__ import annotations

import typing
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from core_conftest import asgi_client, start_app
from core_helpers import workout_body
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from fitjourney_common.text import Text, TextRequestModel
from fitjourney_core.main import create_app
from fitjourney_core.settings import CoreSettings

YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
CUSTOM_FOOD = {"kcal_per_100g": 120, "protein_g": 7, "carbs_g": 15, "fat_g": 3, "fibre_g": 4}


def _problem_field(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return " ".join(str(error) for error in response.json().get("errors", [response.json()]))


async def _check_refusals_and_line_breaks(client: httpx.AsyncClient, headers: Any) -> None:
    habit = await client.post("/api/v1/habits", json={"name": "Stretch\x00"}, headers=headers)
    assert "name" in _problem_field(habit)
    food = await client.post("/api/v1/foods", json={"name": "Stew\u0000", **CUSTOM_FOOD}, headers=headers)
    assert "name" in _problem_field(food)
    search = await client.get("/api/v1/foods", params={"q": "apple\x00"}, headers=headers)
    assert "q" in _problem_field(search)
    tab_name = await client.post("/api/v1/habits", json={"name": "Two\nlines"}, headers=headers)
    assert "name" in _problem_field(tab_name)
    journal = await client.put(f"/api/v1/journal/{YESTERDAY}", json={"text": "bad\x07bell"}, headers=headers)
    assert "text" in _problem_field(journal)
    tags = await client.put(f"/api/v1/journal/{YESTERDAY}", json={"text": "ok", "tags": ["a\x00"]}, headers=headers)
    assert "tags" in _problem_field(tags)

    # Multi-line text keeps its line breaks and tabs.
    entry = await client.put(f"/api/v1/journal/{YESTERDAY}", json={"text": "line one\n\tline two"}, headers=headers)
    assert entry.status_code == 201, entry.text
    assert entry.json()["text"] == "line one\n\tline two"
    workout = await client.post("/api/v1/workouts", json=workout_body(notes="5 x 400 m\nwindy"), headers=headers)
    assert workout.status_code == 201 and workout.json()["notes"] == "5 x 400 m\nwindy"


async def test_control_characters_are_refused_on_postgresql(client: httpx.AsyncClient, auth_headers) -> None:
    await _check_refusals_and_line_breaks(client, auth_headers)


async def test_control_characters_are_refused_on_sqlite_too(sqlite_dev_settings: CoreSettings, make_token) -> None:
    _, token = make_token()
    async for app in start_app(sqlite_dev_settings):
        async with asgi_client(app) as client:
            await _check_refusals_and_line_breaks(client, {"Authorization": f"Bearer {token}"})


def _mentions_str(annotation: Any) -> bool:
    return annotation is str or any(_mentions_str(arg) for arg in typing.get_args(annotation))


def _uses_text(annotation: Any) -> bool:
    if annotation == Text:
        return True
    return any(_uses_text(arg) for arg in typing.get_args(annotation))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


@pytest.fixture(scope="module")
def routes(settings: CoreSettings) -> list[APIRoute]:
    app: FastAPI = create_app(settings)
    return [route for route in app.routes if isinstance(route, APIRoute)]


def test_every_request_body_refuses_control_characters(routes: list[APIRoute]) -> None:
    for route in routes:
        if route.body_field is None:
            continue
        for model in _models_in(route.body_field.field_info.annotation):
            assert issubclass(model, TextRequestModel), f"{route.path}: {model.__name__} is no TextRequestModel"


def test_every_text_query_parameter_is_text(routes: list[APIRoute]) -> None:
    allowed = {"cursor", "since", "from", "to"}  # opaque or parsed: anything else is a 422 already
    for route in routes:
        for param in route.dependant.query_params:
            annotation = param.field_info.annotation
            if _mentions_str(annotation) and param.alias not in allowed:
                assert _uses_text(annotation), f"{route.path}: query parameter {param.alias} is not Text"
