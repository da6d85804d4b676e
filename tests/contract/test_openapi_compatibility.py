"""Released operations and fields do not disappear from /api/v1 without a deprecation (docs/openapi/*.json)."""

from __future__ import annotations

import copy
import importlib.util
import json
from typing import Any

import pytest
from contract_harness import ROOT, SERVICES

_spec = importlib.util.spec_from_file_location("openapi_compat", ROOT / "deploy" / "checks" / "openapi_compat.py")
assert _spec and _spec.loader
compat = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compat)


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return dict(compat.service_documents())


@pytest.mark.parametrize("name", SERVICES)
def test_nothing_released_disappeared_without_deprecation(name: str, documents: dict[str, Any]) -> None:
    path = compat.SNAPSHOT_DIR / f"{name}.json"
    if not path.exists():
        pytest.skip(f"{name} has no released snapshot yet: `make openapi-snapshot` records one")
    removed = compat.removed_without_deprecation(json.loads(path.read_text()), documents[name])
    assert removed == [], (
        f"{name}: these were released and are gone without being deprecated first (mark them deprecated, "
        f"release, and remove them after the sunset; then `make openapi-snapshot`): {removed}")


def test_the_check_tells_removals_from_deprecations_and_additions(documents: dict[str, Any]) -> None:
    released = documents[SERVICES[0]]
    path, _methods = next((p, m) for p, m in released["paths"].items() if "get" in m and "{" not in p
                         and m["get"]["responses"]["200"].get("content"))
    current = copy.deepcopy(released)
    del current["paths"][path]["get"]
    assert compat.removed_without_deprecation(released, current) == sorted(
        item for item in compat.contract(released) if item.startswith(f"GET {path}"))
    announced = copy.deepcopy(released)
    announced["paths"][path]["get"]["deprecated"] = True
    assert compat.removed_without_deprecation(announced, current) == []  # deprecated in a release, then gone
    added = copy.deepcopy(released)
    added["paths"]["/api/v1/new"] = {"get": {"responses": {"200": {"description": "new"}}}}
    assert compat.removed_without_deprecation(released, added) == []


def test_a_removed_response_field_is_caught() -> None:
    document: dict[str, Any] = {"paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/A"}}}}}}}},
        "components": {"schemas": {"A": {"properties": {"kept": {"type": "string"},
                                                        "gone": {"type": "string"}}}}}}
    current = copy.deepcopy(document)
    del current["components"]["schemas"]["A"]["properties"]["gone"]
    assert compat.removed_without_deprecation(document, current) == ["GET /a [response 200] gone"]
    document["components"]["schemas"]["A"]["properties"]["gone"]["deprecated"] = True
    assert compat.removed_without_deprecation(document, current) == []
