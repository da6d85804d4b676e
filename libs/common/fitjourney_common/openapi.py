"""The API contract every service publishes: offline docs, the bearer scheme, the errors each operation gives.

`install_api_docs(app)` (called by `install_service_defaults`) serves Swagger UI and ReDoc from the
assets vendored by the `fastapi-offline` package (no CDN, so the docs work offline), and post-processes
the generated OpenAPI document so it says what the code answers: every error is `application/problem+json`
(RFC 9457, the `Problem` schema), the 422 is our problem body and not FastAPI's `HTTPValidationError`,
and each operation lists the 4xx it can give from what it declares (bearer security, roles, path
parameters, `If-Match`, a JSON body); routers add the rest with `problems(409, 415, ...)`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import Depends, FastAPI, Response
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

from fitjourney_common.errors import PROBLEM_BASE, PROBLEM_JSON

# Swagger UI, ReDoc and a favicon, as the package ships them.
DOCS_ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
DOCS_ASSETS_PATH = "/docs/assets"
BEARER_SCHEME = "bearerAuth"
REQUIRED_ROLES_ATTRIBUTE = "required_roles"
# Set by `security.require_recent_authentication` (security imports nothing from here).
RECENT_AUTHENTICATION_ATTRIBUTE = "requires_recent_authentication"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem: every error of every service has this shape (`application/problem+json`). "
                   "`type` is stable and safe to branch on; `detail` is for people. Some problems add members, "
                   "e.g. `retry_after` (429) or `current_version` (412).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": f"Stable problem type, `{PROBLEM_BASE}<slug>`"},
        "title": {"type": "string", "description": "Short summary of the problem type"},
        "status": {"type": "integer", "description": "The HTTP status code"},
        "detail": {"type": "string", "description": "What went wrong this time, for people"},
        "instance": {"type": "string", "description": "The request path"},
        "errors": {
            "type": "array",
            "description": "Validation errors (422): one per field",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string",
                              "description": "The field, dotted for nested ones, e.g. `portions.0.grams`"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}

# status → (slug, title, detail, description of when it happens); the examples are real bodies.
PROBLEMS: dict[int, tuple[str, str, str, str]] = {
    400: ("malformed-json", "Malformed JSON", "The request body is not valid JSON",
          "The body cannot be read: not JSON, JSON nested deeper than MAX_JSON_DEPTH (`json-too-deep`), "
          "or a broken multipart form (`malformed-body`)"),
    401: ("unauthorized", "Authentication required", "The access token has expired",
          "No bearer token, or it is invalid, expired, revoked or of a deleted account"),
    403: ("forbidden", "Not allowed", "Requires role: admin", "The caller lacks the role this operation needs"),
    404: ("not-found", "Not found", "No such record",
          "Nothing with this id belongs to the caller (another user's record answers 404 too)"),
    409: ("conflict", "Conflict", "This id is already in use; create the record with a new id",
          "The request conflicts with the stored state"),
    412: ("precondition-failed", "The resource changed since you read it",
          "You sent version 2, the record is at version 3",
          "`If-Match` names an older version than the stored one: read it again, then retry"),
    413: ("payload-too-large", "Request body too large", "The body is larger than 1048576 bytes",
          "The body is larger than the limit"),
    415: ("unsupported-media-type", "Unsupported media type", "The file is not a JPEG, PNG or WebP image",
          "The upload is not of an accepted type (checked by content, not by name)"),
    422: ("validation", "Validation failed", "email: value is not a valid email address",
          "A field is invalid; `errors` names each one"),
    429: ("rate-limited", "Too many requests", "Too many requests",
          "Over the rate limit; retry after `Retry-After` seconds"),
    503: ("unavailable", "Service unavailable", "Signing keys are not available yet",
          "A backend this operation needs does not answer; retry later"),
}

# The 403 of an irreversible operation whose token's sign-in is older than 5 minutes (`auth_time`).
REAUTHENTICATION = (
    "reauthentication-required", "Confirm it is you",
    "Confirm it is you: send your password to POST /api/v1/auth/reauthenticate (or sign in again with your "
    "provider) and retry with the new access token within 5 minutes",
    "The access token's sign-in (`auth_time`) is older than 5 minutes: get a fresh one from "
    "`POST /api/v1/auth/reauthenticate` (password) or a new provider sign-in, then retry")

RETRY_AFTER_HEADER = {"Retry-After": {"description": "Seconds to wait before retrying",
                                      "schema": {"type": "integer"}}}


def problem_example(status: int, path: str = "/api/v1/...") -> dict[str, Any]:
    slug, title, detail, _ = PROBLEMS[status]
    example: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail,
                               "instance": path}
    if status == 422:
        example["errors"] = [{"field": "email", "message": "value is not a valid email address"}]
    if status == 429:
        example["retry_after"] = 42
    if status == 412:
        example["current_version"] = 3
    return example


def problems(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the errors a route gives beyond what its declaration shows.

    `problems(409, 415)` uses the default descriptions; `problems(409, _409="Email already registered")`
    words one for this route. The post-processor adds the problem schema and example.
    """
    return {status: {"description": descriptions.get(f"_{status}", PROBLEMS[status][3])} for status in statuses}


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _required_roles(route: APIRoute | None) -> list[str]:
    """The roles a route's `require_roles` dependencies ask for (one of them lets the caller through)."""
    if route is None:
        return []
    dependencies = _dependencies(route.dependant)
    return sorted({role for d in dependencies for role in getattr(d.call, REQUIRED_ROLES_ATTRIBUTE, ())})


def _route_requires_recent_authentication(route: APIRoute) -> bool:
    return any(getattr(d.call, RECENT_AUTHENTICATION_ATTRIBUTE, False) for d in _dependencies(route.dependant))


def _error_statuses(operation: dict[str, Any], route: APIRoute | None) -> dict[int, str]:
    """Each status an operation can answer from its declaration, with why."""
    statuses: dict[int, str] = {}
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    if operation.get("security"):
        statuses[401] = PROBLEMS[401][3]
        statuses[429] = PROBLEMS[429][3]
    if _required_roles(route):
        statuses[403] = PROBLEMS[403][3]
    if route is not None and _route_requires_recent_authentication(route):
        statuses[403] = REAUTHENTICATION[3]
    if any(p.get("in") == "path" for p in parameters):
        statuses[404] = PROBLEMS[404][3]
    if any(p.get("in") == "header" and p.get("name", "").lower() == "if-match" for p in parameters):
        statuses[412] = PROBLEMS[412][3]
    if body:
        statuses[400] = PROBLEMS[400][3]
        statuses[413] = PROBLEMS[413][3]
    if parameters or body:
        statuses[422] = PROBLEMS[422][3]
    return statuses


def _problem_content(status: int, path: str, reauthentication: bool = False) -> dict[str, Any]:
    if reauthentication and status == 403:
        slug, title, detail, _ = REAUTHENTICATION
        example = {"type": PROBLEM_BASE + slug, "title": title, "status": 403, "detail": detail, "instance": path}
        return {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": example}}
    example = problem_example(status, path) if status in PROBLEMS else {
        "type": PROBLEM_BASE + "http-" + str(status), "title": "Error", "status": status, "detail": "Error"}
    return {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": example}}


def _declares_own_body(response: dict[str, Any]) -> bool:
    return any(media.get("schema") not in (None, {}) for media in response.get("content", {}).values())


def document_errors(schema: dict[str, Any], routes: dict[tuple[str, str], APIRoute]) -> dict[str, Any]:
    """Rewrite `schema` (an OpenAPI document) so every operation's errors are problem+json and complete."""
    schema = copy.deepcopy(schema)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            route = routes.get((path, method.upper()))
            if roles := _required_roles(route):
                # Machine-readable, so tools (and the access-control tests) know who may call it.
                operation["x-required-roles"] = roles
            responses: dict[str, Any] = operation["responses"]
            for status, why in _error_statuses(operation, route).items():
                responses.setdefault(str(status), {"description": why})
            for status_text, response in responses.items():
                if not status_text.isdigit() or int(status_text) < 400:
                    continue
                status = int(status_text)
                if status == 422 and response.get("description") == "Validation Error":
                    response["description"] = PROBLEMS[422][3]
                elif _declares_own_body(response):
                    continue  # e.g. /readyz's 503 is its JSON report, not a problem
                response["content"] = _problem_content(
                    status, path, route is not None and _route_requires_recent_authentication(route))
                if status in (429, 503):
                    response["headers"] = RETRY_AFTER_HEADER if status == 429 else response.get("headers", {})
                if status == 401:
                    response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                                "description": "`Bearer`"}}
            operation["responses"] = dict(sorted(responses.items()))
    # FastAPI's own validation-error schemas are no longer referenced by anything.
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return schema


def _response_properties(schema: dict[str, Any], response: dict[str, Any]) -> set[str]:
    media = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = media.get("$ref", "")
    target = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {}) if ref else media
    return set(target.get("properties", {}))


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI links from each create to what the created record's id reaches (`POST /habits` → `GET,
    PATCH, DELETE /habits/{habit_id}`, `POST /habits/{habit_id}/check-ins`): documentation for clients,
    and the paths schemathesis' stateful phase follows."""
    paths: dict[str, Any] = schema.get("paths", {})
    for path, methods in paths.items():
        create = methods.get("post")
        if not isinstance(create, dict):
            continue
        for status in ("201", "202"):
            response = create.get("responses", {}).get(status)
            if response is None:
                continue
            properties = _response_properties(schema, response)
            links: dict[str, Any] = {}
            for target_path, target_methods in paths.items():
                if not target_path.startswith(path + "/{"):
                    continue
                new_param = target_path[len(path) + 2:].split("}", 1)[0]
                by_id = new_param.endswith("_id") and "id" in properties
                source = new_param if new_param in properties else "id" if by_id else None
                if source is None:
                    continue
                for method, operation in target_methods.items():
                    parameters: dict[str, str] = {}
                    for parameter in operation.get("parameters", []):
                        if parameter.get("in") != "path":
                            continue
                        name = parameter["name"]
                        parameters[name] = (f"$response.body#/{source}" if name == new_param
                                            else f"$request.path.{name}" if "{" + name + "}" in path else "")
                    if all(parameters.values()) and "operationId" in operation:
                        links[f"{method.upper()} {target_path}"] = {"operationId": operation["operationId"],
                                                                    "parameters": parameters}
            if links:
                response["links"] = links
    return schema


def _routes_by_operation(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    """Each operation's route by (full path, method), through included routers."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI ≥ 0.16x keeps included routers nested
    except ImportError:  # older FastAPI: app.routes is already flat
        contexts: Any = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    found: dict[tuple[str, str], APIRoute] = {}
    for context in contexts:
        route = getattr(context, "original_route", context)
        if isinstance(route, APIRoute):
            for method in getattr(context, "methods", None) or route.methods or ():
                found[(context.path_format, method)] = route
    return found


def name_operations(schema: dict[str, Any], routes: dict[tuple[str, str], APIRoute]) -> dict[str, Any]:
    """operationId = the handler's name (`create_workout`) where it is unique in the service, so generated
    clients get readable functions; FastAPI's `create_workout_api_v1_workouts_post` stays otherwise."""
    names: dict[str, int] = {}
    for route in {id(r): r for r in routes.values()}.values():
        names[route.name] = names.get(route.name, 0) + len(route.methods or ())
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            handler = routes.get((path, method.upper()))
            if isinstance(operation, dict) and handler is not None and names.get(handler.name) == 1:
                operation["operationId"] = handler.name
    return schema


def _offline_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            generated = get_openapi(
                title=app.title, version=app.version, openapi_version=app.openapi_version, summary=app.summary,
                description=app.description, routes=app.routes, tags=app.openapi_tags, servers=app.servers,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
            routes = _routes_by_operation(app)
            app.openapi_schema = add_links(name_operations(document_errors(generated, routes), routes))
        return app.openapi_schema

    return openapi


def docs_page(openapi_url: str, title: str, assets_url: str = DOCS_ASSETS_PATH) -> HTMLResponse:
    """Swagger UI for `openapi_url`, every asset from `assets_url` (served by this process)."""
    return get_swagger_ui_html(
        openapi_url=openapi_url, title=title,
        swagger_js_url=f"{assets_url}/swagger-ui-bundle.js", swagger_css_url=f"{assets_url}/swagger-ui.css",
        swagger_favicon_url=f"{assets_url}/favicon.png",
        # No validator badge: it would fetch from validator.swagger.io. Keep the token across reloads.
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True, "displayRequestDuration": True},
    )


def redoc_page(openapi_url: str, title: str, assets_url: str = DOCS_ASSETS_PATH) -> HTMLResponse:
    return get_redoc_html(openapi_url=openapi_url, title=title, redoc_js_url=f"{assets_url}/redoc.standalone.js",
                          redoc_favicon_url=f"{assets_url}/favicon.png", with_google_fonts=False)


def mount_docs_assets(app: FastAPI, path: str = DOCS_ASSETS_PATH) -> None:
    app.mount(path, StaticFiles(directory=DOCS_ASSETS_DIR), name="docs-assets")


def install_api_docs(app: FastAPI) -> None:
    """Serve `/docs` (Swagger UI) and `/redoc` offline and publish the documented errors in `/openapi.json`."""
    app.openapi = _offline_openapi(app)  # type: ignore[method-assign]
    docs_url, redoc_url, openapi_url = app.docs_url, app.redoc_url, app.openapi_url
    if openapi_url is None:
        return
    # FastAPI's own pages load Swagger UI and ReDoc from a CDN: replace them.
    replaced = {docs_url, redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in replaced]
    mount_docs_assets(app)
    title = app.title

    if docs_url:
        @app.get(docs_url, include_in_schema=False)
        async def swagger_ui(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return docs_page(f"{root}{openapi_url}", f"{title} - API", f"{root}{DOCS_ASSETS_PATH}")

        if app.swagger_ui_oauth2_redirect_url:
            @app.get(app.swagger_ui_oauth2_redirect_url, include_in_schema=False)
            async def swagger_ui_redirect() -> HTMLResponse:
                return get_swagger_ui_oauth2_redirect_html()

    if redoc_url:
        @app.get(redoc_url, include_in_schema=False)
        async def redoc(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return redoc_page(f"{root}{openapi_url}", f"{title} - API reference", f"{root}{DOCS_ASSETS_PATH}")


def replayed(model: Any, what: str = "record") -> dict[int | str, dict[str, Any]]:
    """`responses=` entry of a create that takes a client-generated id: a replay answers 200, writes nothing."""
    return {200: {"model": model, "description": f"This client id was used before: the same {what}, nothing written"}}


def deprecated(since: str, sunset: str, successor: str | None = None) -> Any:
    """`dependencies=[deprecated(since=..., sunset=...)]` on a route also marked `deprecated=True`: every answer
    carries `Deprecation` (RFC 9745, the date it was deprecated), `Sunset` (RFC 8594, the date it may go)
    and, if there is one, a `Link` to its successor. Dates are ISO `YYYY-MM-DD` (UTC midnight)."""
    since_at = datetime.combine(date.fromisoformat(since), time.min, tzinfo=UTC)
    sunset_at = datetime.combine(date.fromisoformat(sunset), time.min, tzinfo=UTC)

    async def announce(response: Response) -> None:
        response.headers["Deprecation"] = f"@{int(since_at.timestamp())}"
        response.headers["Sunset"] = format_datetime(sunset_at, usegmt=True)
        if successor:
            response.headers["Link"] = f'<{successor}>; rel="successor-version"'

    return Depends(announce)
