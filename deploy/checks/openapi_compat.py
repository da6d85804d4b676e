"""Compares each service's OpenAPI document with its released snapshot (docs/openapi/<service>.json).

What a client may rely on must not disappear inside /api/v1 without being deprecated first: an
operation, a parameter, a request field or a response field present in the snapshot must still be
there, unless the snapshot already marked it `deprecated: true` (a release announced it). Additions
never fail. `make openapi-snapshot` (this script with `--write`) records the current documents as the
new release, after a removal has gone through its deprecation period or an addition is released.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_DIR = ROOT / "docs" / "openapi"
METHODS = ("get", "put", "post", "patch", "delete")
MAX_DEPTH = 6


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def schema_fields(document: dict[str, Any], schema: dict[str, Any], prefix: str = "",
                  depth: int = 0) -> dict[str, bool]:
    """Every field path a schema has (`items[].name`), mapped to whether it is deprecated."""
    if depth > MAX_DEPTH:
        return {}
    schema = _resolve(document, schema)
    fields: dict[str, bool] = {}
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        fields.update(schema_fields(document, branch, prefix, depth + 1))
    if "items" in schema and isinstance(schema["items"], dict):
        fields.update(schema_fields(document, schema["items"], prefix + "[]", depth + 1))
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        resolved = _resolve(document, sub)
        fields[path] = bool(sub.get("deprecated") or resolved.get("deprecated"))
        fields.update(schema_fields(document, sub, path, depth + 1))
    return fields


def contract(document: dict[str, Any]) -> dict[str, bool]:
    """What clients rely on, as `METHOD path [where name]` → deprecated."""
    items: dict[str, bool] = {}
    for path, methods in document.get("paths", {}).items():
        for method in METHODS:
            operation = methods.get(method)
            if operation is None:
                continue
            key = f"{method.upper()} {path}"
            deprecated = bool(operation.get("deprecated"))
            items[key] = deprecated
            for parameter in operation.get("parameters", []):
                items[f"{key} [{parameter['in']} parameter] {parameter['name']}"] = deprecated or bool(
                    parameter.get("deprecated"))
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                for field, field_deprecated in schema_fields(document, media.get("schema", {})).items():
                    items[f"{key} [request] {field}"] = deprecated or field_deprecated
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                for media in response.get("content", {}).values():
                    for field, field_deprecated in schema_fields(document, media.get("schema", {})).items():
                        items[f"{key} [response {status}] {field}"] = deprecated or field_deprecated
    return items


def removed_without_deprecation(released: dict[str, Any], current: dict[str, Any]) -> list[str]:
    before, now = contract(released), contract(current)
    return sorted(item for item, deprecated in before.items() if item not in now and not deprecated)


def service_documents() -> dict[str, dict[str, Any]]:
    """The current OpenAPI document of every installed service."""
    from fitjourney_gateway.dev import SERVICE_FACTORIES

    documents = {}
    for name, target in SERVICE_FACTORIES.items():
        module_name, _, factory = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        documents[name] = getattr(module, factory)().openapi()
    return documents


def write_snapshots() -> list[Path]:
    SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in service_documents().items():
        path = SNAPSHOT_DIR / f"{name}.json"
        path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the current documents as released")
    args = parser.parse_args()
    if args.write:
        for path in write_snapshots():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    failed = False
    for name, document in service_documents().items():
        path = SNAPSHOT_DIR / f"{name}.json"
        if not path.exists():
            print(f"{name}: no released snapshot yet ({path.relative_to(ROOT)})")
            continue
        for item in removed_without_deprecation(json.loads(path.read_text()), document):
            failed = True
            print(f"{name}: removed without deprecation: {item}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
