"""Checks of a docs page and an OpenAPI document as a client developer meets them (contract and gateway tests)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx
from jsonschema import Draft202012Validator

ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


class _AssetCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def page_assets(html: str) -> list[str]:
    """Every URL a page loads by itself (scripts, styles, icons), plus those its inline script names."""
    collector = _AssetCollector()
    collector.feed(html)
    return collector.urls


def assert_assets_served_locally(client: httpx.Client, page_path: str) -> list[str]:
    """GET the page; every asset it references is on the same origin and answers 200 with its type."""
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    assets = page_assets(page.text)
    assert assets, f"{page_path} references no assets"
    assert "cdn" not in page.text.lower(), f"{page_path} still names a CDN"
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), f"{page_path} loads {url} from elsewhere"
        asset = client.get(url)
        assert asset.status_code == 200, f"{url}: {asset.status_code}"
        suffix = url[url.rfind("."):]
        assert ASSET_TYPES[suffix] in asset.headers["content-type"], (url, asset.headers["content-type"])
        assert len(asset.content) > 1000, f"{url} is suspiciously small"
    return assets


def validate_against(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> list[str]:
    """Errors of `instance` against `schema`, resolving `#/components/...` references in `document`."""
    rooted = {**schema, "components": document.get("components", {})}
    return [error.message for error in Draft202012Validator(rooted).iter_errors(instance)]


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation)
            for path, methods in document["paths"].items()
            for method, operation in methods.items() if isinstance(operation, dict)]
