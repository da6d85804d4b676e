"""Every date-time a client can send, in every service's OpenAPI document, tried at the calendar's edge.

`0001-01-01T00:00:00+14:00` and `9999-12-31T23:59:59-14:00` parse but have no UTC equivalent; they
used to be 500s. Each body field of format `date-time` and each query parameter that takes a date-time
is found in the document the running service serves (a new one is covered without editing this test)
and sent alone at each edge: the answer must be a 422 problem naming it.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from contract_harness import SERVICES, RunningService, SigningKey, mint_token

from fitjourney_common.errors import PROBLEM_JSON

EDGES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")
METHODS = ("get", "put", "post", "patch", "delete")


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _takes_date_time(schema: dict[str, Any]) -> bool:
    """A `date-time` format, or a string parameter documented as taking one ("a date or a date-time")."""
    return schema.get("format") == "date-time" or "date-time" in schema.get("description", "")


def _date_time_fields(document: dict[str, Any], schema: dict[str, Any], path: tuple[str, ...] = (),
                      depth: int = 0) -> list[tuple[str, ...]]:
    schema = _resolve(document, schema)
    if depth > 6:
        return []
    if schema.get("format") == "date-time":
        return [path]
    found = []
    for variant in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        found += _date_time_fields(document, variant, path, depth + 1)
    for name, child in schema.get("properties", {}).items():
        found += _date_time_fields(document, child, (*path, name), depth + 1)
    if "items" in schema:
        found += _date_time_fields(document, schema["items"], (*path, "0"), depth + 1)
    return sorted(set(found))


def date_time_inputs(document: dict[str, Any]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(method, path, "body" or "query", field path) for every date-time a client sends."""
    inputs = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                variants = [schema, *schema.get("anyOf", [])]
                if parameter["in"] == "query" and (_takes_date_time(parameter) or any(map(_takes_date_time, variants))):
                    inputs.append((method, path, "query", (parameter["name"],)))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                inputs += [(method, path, "body", field) for field in _date_time_fields(document, body["schema"])]
    return inputs


def _nested(field: tuple[str, ...], value: str) -> Any:
    if not field:
        return value
    head, rest = field[0], field[1:]
    return [_nested(rest, value)] if head.isdigit() else {head: _nested(rest, value)}


def _fill_path(document: dict[str, Any], path: str, operation: dict[str, Any]) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        schema = _resolve(document, parameter.get("schema", {}))
        value = "2026-01-05" if schema.get("format") == "date" else (
            str(uuid.uuid4()) if schema.get("format") == "uuid" else "x")
        path = path.replace("{" + parameter["name"] + "}", value)
    return path


@pytest.mark.timeout(600)  # the first test of a run also starts the services
@pytest.mark.parametrize("name", SERVICES)
async def test_every_date_time_at_the_calendars_edge_is_a_422_naming_it(
    name: str, running_services: dict[str, RunningService], signing_key: SigningKey,
) -> None:
    service = running_services[name]
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as http:
        document = (await http.get("/openapi.json")).json()
        inputs = date_time_inputs(document)
        failures = []
        for method, path, where, field in inputs:
            url = _fill_path(document, path, document["paths"][path][method])
            for edge in EDGES:
                # A new user each time: the per-user rate limits (10/min on ai) never answer instead.
                token = mint_token(signing_key.private_pem, uuid.uuid4(), roles=("user", "admin"))
                response = await http.request(
                    method.upper(), url, headers={"Authorization": f"Bearer {token}"},
                    params={field[0]: edge} if where == "query" else None,
                    json=_nested(field, edge) if where == "body" else None)
                dotted = ".".join(field)
                named = response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM_JSON) \
                    and dotted in [error.get("field") for error in response.json().get("errors", [])]
                if not named:
                    failures.append(f"{method.upper()} {path} {where} {dotted}={edge}: "
                                    f"{response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)
    if name in ("core", "ai", "auth"):  # these take date-times; finding none would mean the walk is broken
        assert inputs, f"no date-time input found in {name}'s document"
