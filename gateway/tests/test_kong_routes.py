"""kong.yml and the services agree: every route reaches the service's API and every public path is routed."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import yaml
from fitjourney_gateway.dev import SERVICE_FACTORIES
from fitjourney_gateway.routes import KONG_FILE, load_routes, match
from starlette.routing import WebSocketRoute

ROUTES = load_routes()
ROUTED_SERVICES = sorted({r.service for r in ROUTES})
# Operational endpoints every service has; Kong does not expose them (probes and Prometheus call pods).
OPERATIONAL = {"/healthz", "/readyz", "/metrics", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}


def websocket_paths(routes: list[Any]) -> list[str]:
    """WebSocket routes are not in OpenAPI; included routers nest them, so walk the tree."""
    found: list[str] = []
    for route in routes:
        if isinstance(route, WebSocketRoute):
            found.append(route.path)
        nested = getattr(route, "original_router", None) or getattr(route, "app", None)
        if nested is not None and hasattr(nested, "routes"):
            found += websocket_paths(nested.routes)
    return found


def service_paths(service: str) -> list[str]:
    module_name, _, factory = SERVICE_FACTORIES[service].partition(":")
    app = getattr(importlib.import_module(module_name), factory)()
    paths = [p for p in app.openapi()["paths"] if p not in OPERATIONAL]
    return paths + websocket_paths(app.routes)


def test_websocket_routes_are_found() -> None:
    assert "/api/v1/ws" in service_paths("core")


@pytest.mark.parametrize("service", ROUTED_SERVICES)
def test_every_route_reaches_a_path_of_its_service(service: str) -> None:
    paths = service_paths(service)
    for route in (r for r in ROUTES if r.service == service):
        assert not route.strip_path, f"{route.prefix}: services serve full paths, strip_path must be false"
        assert any(p == route.prefix or p.startswith(route.prefix + "/") for p in paths), (
            f"route {route.prefix} of {service} reaches no path in its OpenAPI")


@pytest.mark.parametrize("service", ROUTED_SERVICES)
def test_every_public_path_is_routed_to_its_own_service(service: str) -> None:
    for path in service_paths(service):
        route = match(ROUTES, path)
        assert route is not None, f"{service} {path} is not reachable through Kong"
        assert route.service == service, f"{path} of {service} is routed to {route.service}"


def all_plugins(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Global plugins and those attached to services and routes."""
    plugins = list(document.get("plugins", []))
    for service in document.get("services", []):
        plugins += service.get("plugins", [])
        for route in service.get("routes", []):
            plugins += route.get("plugins", [])
    return plugins


def test_plugin_configs_use_only_fields_kong_3_9_knows() -> None:
    known = yaml.safe_load((KONG_FILE.parent / "plugin_fields.yml").read_text())
    for plugin in all_plugins(yaml.safe_load(KONG_FILE.read_text())):
        name = plugin["name"]
        assert name in known, f"plugin {name} is not in gateway/kong/plugin_fields.yml"
        config = plugin.get("config", {})
        unknown = set(config) - set(known[name]["fields"])
        assert not unknown, f"{name}: Kong 3.9 has no config field {sorted(unknown)}"
        for field, allowed in known[name]["enums"].items():
            values = config.get(field, [])
            for value in values if isinstance(values, list) else [values]:
                assert value in allowed, f"{name}.{field}: {value!r} is not one of {allowed}"


def test_kong_file_is_db_less_3x_with_the_edge_plugins() -> None:
    document = yaml.safe_load(KONG_FILE.read_text())
    assert document["_format_version"] == "3.0"
    names = {p["name"] for p in document.get("plugins", [])}
    assert {"rate-limiting", "correlation-id"} <= names
    limit = next(p for p in document["plugins"] if p["name"] == "rate-limiting")["config"]
    assert limit["hour"] == 1000 and limit["limit_by"] == "ip"
