"""What every service answers the same way: problem+json errors, body limits, request ids, health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from fitjourney_common.errors import Conflict, TooManyRequests
from fitjourney_common.service_defaults import install_service_defaults, json_nesting_depth
from fitjourney_common.settings import CommonSettings


class ThingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=20)
    grams: float = Field(gt=0)


def build_app(ready: bool = True) -> FastAPI:
    settings = CommonSettings(service_name="probe", log_json=True, max_json_body_bytes=2048, max_json_depth=8)
    app = FastAPI()

    async def database() -> bool:
        return ready

    install_service_defaults(app, settings, readiness={"database": database})
    saved: list[ThingCreate] = []

    @app.post("/things", status_code=201)
    async def create_thing(body: ThingCreate) -> dict[str, object]:
        saved.append(body)
        return {"count": len(saved)}

    @app.api_route("/things/any", methods=["GET", "PUT", "PATCH", "DELETE"])
    async def thing_by_any_method(body: ThingCreate) -> dict[str, object]:
        saved.append(body)
        return {"count": len(saved)}
    @app.post("/upload")
    async def upload(file: UploadFile) -> dict[str, int]:
        return {"bytes": len(await file.read())}

    @app.post("/conflict")
    async def conflict() -> None:
        raise Conflict("Already there")

    @app.get("/limited")
    async def limited() -> None:
        raise TooManyRequests(retry_after=7)

    @app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    app.state.saved = saved
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = build_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        http.app = app  # type: ignore[attr-defined]
        yield http


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"].startswith("https://")
    return body


async def test_validation_error_names_the_field(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/things", json={"name": "x", "grams": -1}), 422)
    assert [e["field"] for e in body["errors"]] == ["grams"]


async def test_unknown_field_is_refused_and_nothing_is_saved(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/things", json={"name": "x", "grams": 1, "admin": True}), 422)
    assert body["errors"][0]["field"] == "admin"
    assert client.app.state.saved == []  # type: ignore[attr-defined]


async def test_malformed_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", content=b'{"name": "x",', headers={"content-type": "application/json"})
    assert assert_problem(response, 400)["type"].endswith("malformed-json")


async def test_oversized_json_is_a_413_before_parsing(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", json={"name": "x" * 5000, "grams": 1})
    assert_problem(response, 413)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_every_method_gets_the_same_body_limits(client: httpx.AsyncClient, method: str) -> None:
    oversized = b'{"name": "' + b"x" * 5000 + b'", "grams": 1}'
    headers = {"content-type": "application/json"}
    assert_problem(await client.request(method, "/things/any", content=oversized, headers=headers), 413)
    deep = b"[" * 500 + b"]" * 500
    response = await client.request(method, "/things/any", content=deep, headers=headers)
    assert assert_problem(response, 400)["type"].endswith("json-too-deep")
    assert client.app.state.saved == []  # type: ignore[attr-defined]
    ok = await client.request(method, "/things/any", json={"name": "x", "grams": 1})
    assert ok.status_code == 200, ok.text


async def test_deeply_nested_json_is_a_400_not_a_crash(client: httpx.AsyncClient) -> None:
    deep = b"[" * 500 + b"]" * 500
    response = await client.post("/things", content=deep, headers={"content-type": "application/json"})
    assert assert_problem(response, 400)["type"].endswith("json-too-deep")


async def test_a_body_without_a_content_type_gets_the_json_limits(client: httpx.AsyncClient) -> None:
    # FastAPI reads such a body as JSON: it once skipped the JSON size and depth limits.
    assert_problem(await client.post("/things", content=b'{"name": "' + b"x" * 5000 + b'", "grams": 1}'), 413)
    response = await client.post("/things", content=b"[" * 500 + b"]" * 500)
    assert assert_problem(response, 400)["type"].endswith("json-too-deep")
    assert client.app.state.saved == []  # type: ignore[attr-defined]


async def test_a_key_sent_twice_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", content=b'{"name": "a", "grams": 1, "name": "b"}',
                                 headers={"content-type": "application/json"})
    assert assert_problem(response, 422)["errors"] == [
        {"field": "name", "message": "appears more than once in one object"}]
    assert client.app.state.saved == []  # type: ignore[attr-defined]


async def test_brackets_inside_strings_do_not_count_as_nesting(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", json={"name": "[[[[[[[[[[", "grams": 1})
    assert response.status_code == 201
    assert json_nesting_depth(b'{"a": "[[[[\\"[[[", "b": [[1]]}') == 3


async def test_typed_errors_carry_status_and_headers(client: httpx.AsyncClient) -> None:
    assert assert_problem(await client.post("/conflict"), 409)["detail"] == "Already there"
    limited = await client.get("/limited")
    assert_problem(limited, 429)
    assert limited.headers["retry-after"] == "7"


async def test_unknown_path_is_problem_json(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/nowhere"), 404)


async def test_request_id_is_kept_or_made(client: httpx.AsyncClient) -> None:
    kept = await client.get("/healthz", headers={"x-request-id": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    made = await client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32


async def test_health_and_readiness() -> None:
    for ready, status in ((True, 200), (False, 503)):
        app = build_app(ready=ready)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            assert (await http.get("/healthz")).json()["status"] == "ok"
            response = await http.get("/readyz")
            assert response.status_code == status
            assert response.json()["checks"]["database"] == ("ok" if ready else "down")


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.post("/things", json={"name": "x", "grams": 1})
    text = (await client.get("/metrics")).text
    assert 'route="/things"' in text and 'service="probe"' in text


async def test_a_body_that_is_not_utf8_is_malformed_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", content=b'{"name": "\xff\xfe", "grams": 1}',
                                 headers={"content-type": "application/json"})
    assert assert_problem(response, 400)["type"].endswith("malformed-json")


async def test_an_unhandled_error_is_a_500_logged_once_with_the_request_id_the_client_got(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await client.get("/broken", headers={"X-Request-ID": "req-500-probe"})
    body = assert_problem(response, 500)
    assert body["type"].endswith("/internal") and "a bug" not in response.text
    assert response.headers["x-request-id"] == "req-500-probe"
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]
    assert errors[0].request_id == "req-500-probe" and errors[0].exc_info is not None


@pytest.mark.parametrize("path", ["/healthz", "/nowhere", "/broken", "/limited"])
async def test_every_answer_carries_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # plain HTTP: HSTS would be ignored anyway


async def test_hsts_only_behind_tls(client: httpx.AsyncClient) -> None:
    behind_kong = await client.get("/healthz", headers={"x-forwarded-proto": "https"})
    assert behind_kong.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_a_500_keeps_the_connection_and_names_its_request(client: httpx.AsyncClient) -> None:
    response = await client.get("/broken", headers={"x-request-id": "req-500"})
    assert_problem(response, 500)
    assert response.headers["x-request-id"] == "req-500"
    assert response.headers.get("connection") != "close"
    assert (await client.get("/healthz")).status_code == 200
async def test_a_broken_multipart_form_is_a_400_malformed_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/upload", content=b"--xyz\r\nnot a part--xyz--\r\n",
                                 headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert assert_problem(response, 400)["type"].endswith("malformed-body")
