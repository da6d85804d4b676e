"""The OpenAPI document every service publishes lists the errors each operation can give, as problems."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import FastAPI, Header, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel

from fitjourney_common.errors import PROBLEM_JSON
from fitjourney_common.openapi import deprecated, problems, replayed
from fitjourney_common.security import CurrentUser, Principal, require_roles
from fitjourney_common.service_defaults import install_service_defaults
from fitjourney_common.settings import CommonSettings


class Thing(BaseModel):
    id: uuid.UUID
    name: str


def build_app() -> FastAPI:
    app = FastAPI(title="probe")
    install_service_defaults(app, CommonSettings(service_name="probe"))

    @app.post("/things", status_code=201, response_model=Thing, responses={**replayed(Thing), **problems(409)})
    async def create_thing(body: Thing, _user: CurrentUser) -> Thing:
        return body

    @app.patch("/things/{thing_id}", response_model=Thing)
    async def update_thing(thing_id: uuid.UUID, body: Thing, _user: CurrentUser,
                           if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> Thing:
        return body

    @app.get("/admin/things")
    async def admin_things(_admin: Annotated[Principal, require_roles("admin")]) -> list[Thing]:
        return []

    @app.get("/old-things", deprecated=True,
             dependencies=[deprecated(since="2026-11-01", sunset="2027-05-01", successor="/things")])
    async def old_things(response: Response) -> list[Thing]:
        return []

    return app


def statuses(document: dict, path: str, method: str) -> list[str]:
    return sorted(document["paths"][path][method]["responses"])


def test_each_operation_lists_the_errors_its_declaration_implies() -> None:
    document = build_app().openapi()
    assert statuses(document, "/things", "post") == ["200", "201", "400", "401", "409", "413", "422", "429"]
    assert statuses(document, "/things/{thing_id}", "patch") == [
        "200", "400", "401", "404", "412", "413", "422", "429"]
    assert statuses(document, "/admin/things", "get") == ["200", "401", "403", "429"]
    assert statuses(document, "/healthz", "get") == ["200"]
    conflict = document["paths"]["/things"]["post"]["responses"]["409"]["content"][PROBLEM_JSON]
    assert conflict["schema"] == {"$ref": "#/components/schemas/Problem"} and conflict["example"]["status"] == 409
    assert document["paths"]["/things"]["post"]["security"] == [{"bearerAuth": []}]
    links = document["paths"]["/things"]["post"]["responses"]["201"]["links"]
    assert links["PATCH /things/{thing_id}"] == {"operationId": "update_thing",
                                                 "parameters": {"thing_id": "$response.body#/id"}}


def test_a_deprecated_operation_says_so_in_the_document_and_in_its_answers() -> None:
    app = build_app()
    assert app.openapi()["paths"]["/old-things"]["get"]["deprecated"] is True
    response = TestClient(app).get("/old-things")
    assert response.headers["Deprecation"] == "@1793491200"  # RFC 9745: 2026-11-01T00:00:00Z
    assert response.headers["Sunset"] == "Sat, 01 May 2027 00:00:00 GMT"  # RFC 8594
    assert response.headers["Link"] == '</things>; rel="successor-version"'
