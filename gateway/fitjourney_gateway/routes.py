"""Reads the routes of gateway/kong/kong.yml, so the dev gateway dispatches exactly as Kong does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

KONG_FILE = Path(__file__).resolve().parent.parent / "kong" / "kong.yml"


@dataclass(frozen=True)
class Route:
    prefix: str
    service: str
    strip_path: bool


def load_routes(path: Path = KONG_FILE) -> list[Route]:
    """Every route prefix with its service, longest prefix first (Kong's matching order for prefixes)."""
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    routes = [
        Route(prefix=prefix.rstrip("/") or "/", service=service["name"], strip_path=route.get("strip_path", True))
        for service in document.get("services", [])
        for route in service.get("routes", [])
        for prefix in route.get("paths", [])
    ]
    return sorted(routes, key=lambda r: len(r.prefix), reverse=True)


def load_plugin_config(name: str, path: Path = KONG_FILE) -> dict[str, Any] | None:
    """The config of a global Kong plugin (e.g. "cors"), or None when kong.yml does not enable it."""
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    for plugin in document.get("plugins", []):
        if plugin.get("name") == name:
            return dict(plugin.get("config") or {})
    return None


def match(routes: list[Route], path: str) -> Route | None:
    for route in routes:
        if path == route.prefix or path.startswith(route.prefix + "/") or route.prefix == "/":
            return route
    return None
