"""Every object core stores is of a kind erasure knows: objects are written only through
`fitjourney_core.objects.put`, which takes an `ObjectKind`, and erasure deletes every kind's prefix."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest

import fitjourney_core
from fitjourney_core.objects import OBJECT_KINDS, ObjectKind, owned_by, user_prefixes

PACKAGE = Path(fitjourney_core.__file__).parent


def _store_puts(path: Path) -> list[int]:
    """Lines calling `<store>.put(key, data, ...)` (not a route's `router.put(path)`, not `objects.put`)."""
    tree = ast.parse(path.read_text())
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "put"
            and len(node.args) >= 2
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "objects")]


def test_objects_are_written_only_through_an_object_kind() -> None:
    writers = {str(path.relative_to(PACKAGE)): lines for path in PACKAGE.rglob("*.py")
               if (lines := _store_puts(path))}
    assert list(writers) == ["objects.py"], f"write objects with objects.put(store, KIND, ...): {writers}"


def test_erasure_deletes_the_prefix_of_every_kind() -> None:
    user = uuid.uuid4()
    assert len({kind.prefix for kind in OBJECT_KINDS}) == len(OBJECT_KINDS)
    for kind in OBJECT_KINDS:
        key = kind.key(user, "a.bin")
        assert owned_by(key, user) and not owned_by(key, uuid.uuid4())
        assert any(key.startswith(prefix) for prefix in user_prefixes(user))


def test_an_object_name_cannot_climb_out_of_its_prefix() -> None:
    with pytest.raises(ValueError):
        ObjectKind("avatars").key(uuid.uuid4(), "../x")
