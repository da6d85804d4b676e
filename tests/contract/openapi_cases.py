"""Requests made from the services' OpenAPI documents, for the contract tests generated from them: the
operations, their documented request examples, and a user's things made from those examples."""

from __future__ import annotations

import copy
import io
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from contract_harness import RunningService, register_account, sign_in
from PIL import Image

from fitjourney_common.errors import PROBLEM_JSON
from fitjourney_common.testing.api_docs import operations

DAY = "2026-11-25"  # the day the documented examples log things on
PARAM = re.compile(r"{([^}]+)}")


def is_secured(operation: dict[str, Any]) -> bool:
    return bool(operation.get("security"))


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def path_parameters(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "path"}


def placeholder(schema: dict[str, Any]) -> str:
    """A well-formed value nobody owns, for operations that must refuse before looking anything up."""
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("format") == "date":
        return DAY
    return "1" if schema.get("type") == "integer" else "x"


def placeholder_path(operation: Operation) -> str:
    """The operation's path with well-formed values nobody owns (for requests refused before any lookup)."""
    parameters = path_parameters(operation.spec)
    return PARAM.sub(lambda m: placeholder(parameters.get(m[1], {})), operation.path)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Request:
    """What to send to an operation: a JSON body from the documented example, or a multipart upload."""

    json: Any = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    data: dict[str, str] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        if self.files is not None:
            return {"files": self.files, "data": self.data}
        return {} if self.json is None else {"json": self.json}


def documented_request(document: dict[str, Any], operation: dict[str, Any]) -> Request | None:
    """The operation's request from its documentation; None when it takes a body nobody documented."""
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return Request()
    if "application/json" in content:
        schema = resolve(document, content["application/json"].get("schema", {}))
        examples = schema.get("examples") or []
        return Request(json=copy.deepcopy(examples[0])) if examples else None
    if "multipart/form-data" in content:
        schema = resolve(document, content["multipart/form-data"].get("schema", {}))
        properties = schema.get("properties", {})
        files = {name: ("photo.png", png_bytes(), "image/png") for name, prop in properties.items()
                 if prop.get("format") == "binary" or prop.get("contentMediaType")}
        return Request(files=files) if files else None
    return None


@dataclass
class User:
    email: str
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def signed_in_user(auth: RunningService) -> User:
    email = await register_account(auth, "matrix")
    async with httpx.AsyncClient(base_url=auth.base_url, timeout=30) as http:
        token = (await sign_in(http, email))["access_token"]
        me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
    return User(email, me.json()["id"], token)


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.service} {self.method} {self.path}"


def all_operations(documents: dict[str, dict[str, Any]]) -> list[Operation]:
    return [Operation(service, method, path, spec) for service, document in documents.items()
            for method, path, spec in operations(document)]



def assert_problem(response: httpx.Response, status: int, operation: Operation) -> None:
    assert response.status_code == status, f"{operation.name}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith(PROBLEM_JSON), f"{operation.name}: {response.headers}"
    assert response.json()["status"] == status



@dataclass
class Owned:
    """What user A made: ids by (service, collection path), and the GET paths that show them."""

    ids: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    reads: dict[tuple[str, str], Any] = field(default_factory=dict)


def collection_of(path: str, parameter: str) -> str:
    """`/api/v1/habits/{habit_id}/check-ins` with `habit_id` -> `/api/v1/habits`."""
    return path[: path.index("{" + parameter + "}")].rstrip("/")


def fill(operation: Operation, owned: Owned) -> str | None:
    """The operation's path with A's ids in it; None when one of them cannot be found."""
    values = {}
    for name, schema in path_parameters(operation.spec).items():
        if schema.get("format") == "date":
            value = DAY  # date-keyed things (journal day, check-in day) are made on the examples' day
        else:
            created = owned.ids.get((operation.service, collection_of(operation.path, name))) or {}
            value = created.get(name) or created.get("id")
        if value is None:
            return None
        values[name] = str(value)
    return PARAM.sub(lambda m: values[m[1]], operation.path)


def first_item(body: Any) -> dict[str, Any] | None:
    """The first entry of a listing (a JSON array, or an object holding one, e.g. `items`)."""
    if isinstance(body, dict):
        body = next((value for value in body.values() if isinstance(value, list)), None)
    return body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else None


def is_callers_own_upsert(operation: Operation) -> bool:
    """`PUT /journal/{day}` writes the caller's own entry for the day: B doing it touches nothing of A's."""
    parameters = path_parameters(operation.spec)
    return operation.method == "PUT" and bool(parameters) and all(
        schema.get("format") == "date" for schema in parameters.values())


async def make_things_of(user: User, documents: dict[str, dict[str, Any]],
                         clients: dict[str, httpx.AsyncClient]) -> Owned:
    """Every kind of thing a user can make, from the documented examples, shallow paths first."""
    owned = Owned()
    makers = [op for op in all_operations(documents)
              if is_secured(op.spec) and not op.spec.get("x-required-roles")
              and (op.method == "POST" or is_callers_own_upsert(op))]
    for operation in sorted(makers, key=lambda op: op.path.count("/")):
        path = fill(operation, owned)
        request = documented_request(documents[operation.service], operation.spec)
        if path is None or request is None:
            continue
        response = await clients[operation.service].request(operation.method, path, headers=user.headers,
                                                             **request.kwargs())
        if response.status_code in (200, 201, 202) and isinstance(response.json(), dict):
            owned.ids[(operation.service, operation.path)] = response.json()
    # Things made as a side effect (a session, by signing in) are found in their listing.
    listings = [op for op in all_operations(documents) if op.method == "GET" and is_secured(op.spec)
                and not PARAM.search(op.path) and (op.service, op.path) not in owned.ids]
    for operation in listings:
        response = await clients[operation.service].get(operation.path, headers=user.headers)
        if response.status_code == 200 and (item := first_item(response.json())) is not None:
            owned.ids[(operation.service, operation.path)] = item
    return owned

