"""Each service's docs work offline and its OpenAPI document says what the code answers.

The pages and documents are read from the app itself (no backends needed); what the code answers is
asked of the services running on the real backends.
"""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from contract_harness import SERVICES, RunningService, SigningKey, mint_token
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fitjourney_gateway.dev import SERVICE_FACTORIES

from fitjourney_common.errors import PROBLEM_JSON
from fitjourney_common.testing.api_docs import assert_assets_served_locally, operations, page_assets, validate_against
from fitjourney_common.testing.smtp import VERIFICATION_TOKEN, inbox_at

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def build_app(name: str) -> FastAPI:
    module, _, factory = SERVICE_FACTORIES[name].partition(":")
    app: FastAPI = getattr(importlib.import_module(module), factory)()
    return app


@pytest.fixture(scope="module", params=SERVICES)
def service_app(request: pytest.FixtureRequest) -> Iterator[tuple[str, TestClient, dict[str, Any]]]:
    """A service's app without its lifespan (not entered as a context): the docs need no backend."""
    name = request.param
    app = build_app(name)
    client = TestClient(app, base_url="http://docs")
    yield name, client, app.openapi()
    client.close()


def test_swagger_ui_and_redoc_load_every_asset_from_the_service(service_app: Any) -> None:
    _name, client, _document = service_app
    swagger = assert_assets_served_locally(client, "/docs")
    assert any(url.endswith("swagger-ui-bundle.js") for url in swagger)
    page = client.get("/docs").text
    assert "/openapi.json" in page and '"validatorUrl": null' in page.replace("'", '"')
    if client.app.redoc_url:  # a service may leave ReDoc out; Swagger UI is always there
        redoc = assert_assets_served_locally(client, client.app.redoc_url)
        assert any(url.endswith("redoc.standalone.js") for url in redoc)


def test_the_bearer_scheme_is_declared_and_secured_operations_show_it(service_app: Any) -> None:
    _name, _client, document = service_app
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    secured = [(m, p, op) for m, p, op in operations(document) if op.get("security")]
    assert secured or _name == "gateway"
    for method, path, operation in secured:
        assert operation["security"] == [{"bearerAuth": []}], (method, path)
        assert {"401", "429"} <= set(operation["responses"]), (method, path)


def test_every_error_is_a_documented_problem_with_a_valid_example(service_app: Any) -> None:
    _name, _client, document = service_app
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])
    assert "HTTPValidationError" not in json.dumps(document)
    for method, path, operation in operations(document):
        has_input = operation.get("parameters") or operation.get("requestBody")
        if has_input:
            assert "422" in operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            if int(status) < 400 or path == "/readyz":
                continue
            media = response["content"][PROBLEM_JSON]
            assert media["schema"] == PROBLEM_REF, (method, path, status)
            assert validate_against(document, PROBLEM_REF, media["example"]) == [], (method, path, status)
            assert media["example"]["status"] == int(status)
        if "422" in operation["responses"]:
            example = operation["responses"]["422"]["content"][PROBLEM_JSON]["example"]
            assert example["errors"] and {"field", "message"} == set(example["errors"][0])


def test_schema_examples_are_valid_instances_of_their_schema(service_app: Any) -> None:
    _name, _client, document = service_app
    checked = 0
    for name, schema in document["components"]["schemas"].items():
        for example in schema.get("examples", []):
            errors = validate_against(document, {"$ref": f"#/components/schemas/{name}"}, example)
            assert errors == [], f"{name}: {errors}"
            checked += 1
    assert checked > 0


# --- against the running services -----------------------------------------------------------------

def _token_for(service: RunningService, key: SigningKey) -> str:
    return mint_token(key.private_pem, uuid.uuid4())


def _has_placeholder(value: Any) -> bool:
    return "<" in json.dumps(value)


@pytest.mark.parametrize("name", SERVICES)
def test_documented_request_examples_work_when_pasted(
    name: str, running_services: dict[str, RunningService], signing_key: SigningKey,
) -> None:
    """Every request-body example of an operation without path parameters, sent as is, succeeds.

    Placeholders (`<refresh_token from /login>`) are meant to be replaced and are skipped; each
    operation runs as a new user, so an example that erases the account erases only its own.
    """
    service = running_services[name]
    document = service.openapi()
    tried = 0
    for method, path, operation in operations(document):
        media = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if media is None or any(p["in"] == "path" for p in operation.get("parameters", [])):
            continue
        schema = media["schema"]
        target = document["components"]["schemas"].get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
        for example in target.get("examples", []):
            if _has_placeholder(example):
                continue
            headers = {"Authorization": f"Bearer {_token_for(service, signing_key)}"}
            response = httpx.request(method, f"{service.base_url}{path}", json=example, headers=headers, timeout=30)
            assert 200 <= response.status_code < 300, f"{method} {path} with its example: {response.text}"
            assert str(response.status_code) in operation["responses"], (method, path, response.status_code)
            tried += 1
            if path == "/api/v1/auth/register":  # as its owner would, confirm the email before /login's example
                token = inbox_at(service.env["SMTP_URL"]).token_blocking(example["email"], VERIFICATION_TOKEN)
                confirmed = httpx.post(f"{service.base_url}/api/v1/auth/verify-email", json={"token": token})
                assert confirmed.status_code == 204, confirmed.text
    assert tried > 0 or name not in ("auth", "core")


def _path_value(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("format") == "date":
        return "2026-01-01"
    return "google" if "enum" not in schema else str(schema["enum"][0])


@pytest.mark.parametrize("name", SERVICES)
def test_secured_operations_answer_the_documented_401_without_a_token(
    name: str, running_services: dict[str, RunningService],
) -> None:
    service = running_services[name]
    document = service.openapi()
    for method, path, operation in operations(document):
        if not operation.get("security"):
            continue
        url = path
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                url = url.replace("{" + parameter["name"] + "}", _path_value(parameter))
        response = httpx.request(method, f"{service.base_url}{url}", timeout=30)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.headers["www-authenticate"] == "Bearer"
        schema = operation["responses"]["401"]["content"][PROBLEM_JSON]["schema"]
        assert validate_against(document, schema, response.json()) == []


def test_the_documented_422_is_the_body_a_client_receives(
    running_services: dict[str, RunningService], signing_key: SigningKey,
) -> None:
    if "core" not in running_services:
        pytest.skip("core is not installed")
    service = running_services["core"]
    document = service.openapi()
    headers = {"Authorization": f"Bearer {_token_for(service, signing_key)}"}
    response = httpx.post(f"{service.base_url}/api/v1/workouts", headers=headers, timeout=30,
                          json={"activity": "running", "started_at": "2026-11-25T06:00:00Z", "duration_min": "long"})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["errors"] == [{"field": "duration_min", "message": "Input should be a number"}]
    documented = document["paths"]["/api/v1/workouts"]["post"]["responses"]["422"]["content"][PROBLEM_JSON]
    assert validate_against(document, documented["schema"], body) == []
    assert set(documented["example"]) == set(body)  # the example shows every member the real body has


SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY"}


def security_header_problems(response: httpx.Response, *, tls: bool) -> list[str]:
    """What a response lacks of the headers every answer carries (HSTS only when the client came over TLS)."""
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    problems = [f"{where}: {name} is {response.headers.get(name)!r}" for name, value in SECURITY_HEADERS.items()
                if response.headers.get(name) != value]
    if "frame-ancestors 'none'" not in response.headers.get("content-security-policy", ""):
        problems.append(f"{where}: no frame-ancestors 'none'")
    if ("strict-transport-security" in response.headers) != tls:
        problems.append(f"{where}: HSTS {'missing behind TLS' if tls else 'sent over plain HTTP'}")
    if "server" in response.headers:
        problems.append(f"{where}: names its server ({response.headers['server']})")
    return problems


@pytest.mark.parametrize("name", SERVICES)
@pytest.mark.parametrize("tls", [False, True], ids=["http", "behind-tls"])
def test_every_kind_of_answer_carries_the_security_headers(
    name: str, tls: bool, running_services: dict[str, RunningService],
) -> None:
    """Docs and their assets, the document, probes, metrics, and the errors (404, 405, 401, 400, 413) of
    every service; schemathesis checks the same on every answer of the fuzzing (fuzz_hooks.py)."""
    service = running_services[name]
    headers = {"x-forwarded-proto": "https"} if tls else {}
    with httpx.Client(base_url=service.base_url, headers=headers, timeout=30) as client:
        responses = [client.get(path) for path in ("/docs", "/openapi.json", "/healthz", "/readyz", "/metrics",
                                                   "/no-such-page")]
        responses += [client.get(asset) for asset in page_assets(responses[0].text)]
        if client.get("/redoc").status_code == 200:
            responses.append(client.get("/redoc"))
        document = service.openapi()
        secured = [(m, p) for m, p, op in operations(document) if op.get("security") and "{" not in p]
        posts = [p for m, p, op in operations(document) if m.upper() == "POST" and "requestBody" in op and "{" not in p]
        assert secured and posts, "nothing to ask for errors"
        responses.append(client.request(secured[0][0], secured[0][1]))                  # 401
        responses.append(client.request("PATCH", "/openapi.json"))                        # 405
        responses.append(client.post(posts[0], content=b"{not json",                      # 400
                                     headers={"content-type": "application/json"}))
        responses.append(client.post(posts[0], content=b'"' + b"x" * (2 * 1024 * 1024) + b'"',  # 413
                                     headers={"content-type": "application/json"}))
    statuses = {r.status_code for r in responses}
    assert {200, 404, 405, 401, 400, 413} <= statuses, statuses
    assert [p for r in responses for p in security_header_problems(r, tls=tls)] == []
