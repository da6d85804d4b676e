"""The house-rule checker catches SQL in routers, commits in services and cross-service imports."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "house_rules", Path(__file__).resolve().parents[1] / "checks" / "house_rules.py")
assert SPEC and SPEC.loader
house_rules = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(house_rules)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(house_rules, "ROOT", tmp_path)
    monkeypatch.setattr(house_rules, "SERVICE_PACKAGES", {"core": "fitjourney_core", "auth": "fitjourney_auth"})
    return tmp_path


def write(root: Path, relative: str, source: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


def test_sql_in_a_router_is_reported(tree: Path) -> None:
    path = write(tree, "services/core/x/router.py",
                 '"""Doc."""\nasync def f(s):\n    return await s.execute(select(1))\n')
    assert "no SQL in routers" in " ".join(house_rules.check_file(path, "core"))


def test_router_delete_decorator_is_not_sql(tree: Path) -> None:
    path = write(tree, "services/core/x/router.py",
                 '"""Doc."""\n@router.delete("/x")\nasync def f():\n    await service.delete_x()\n')
    assert house_rules.check_file(path, "core") == []


def test_commit_in_a_service_is_reported(tree: Path) -> None:
    path = write(tree, "services/core/x/service.py", '"""Doc."""\nasync def f(s):\n    await s.commit()\n')
    assert "never commit" in " ".join(house_rules.check_file(path, "core"))


def test_importing_another_service_is_reported(tree: Path) -> None:
    path = write(tree, "services/core/x/service.py", '"""Doc."""\nfrom fitjourney_auth.models import User\n')
    assert "another service" in " ".join(house_rules.check_file(path, "core"))


def test_module_without_docstring_is_reported(tree: Path) -> None:
    path = write(tree, "libs/x.py", "x = 1\n")
    assert "docstring" in " ".join(house_rules.check_file(path, None))


def test_sql_outside_a_repository_is_reported(tree: Path) -> None:
    path = write(tree, "services/core/x/shared.py", '"""Doc."""\nfrom sqlalchemy import delete\n'
                 'async def f(session, t):\n    await session.execute(delete(t))\n')
    assert "belongs in a repository.py" in " ".join(house_rules.check_file(path, "core"))
    moved = write(tree, "services/core/x/repository.py", path.read_text())
    assert house_rules.check_file(moved, "core") == []


def test_a_redis_pipeline_is_not_sql(tree: Path) -> None:
    path = write(tree, "services/core/x/cache.py", '"""Doc."""\nasync def f(pipe):\n    await pipe.execute()\n')
    assert house_rules.check_file(path, "core") == []


def test_a_library_importing_a_service_is_reported(tree: Path) -> None:
    path = write(tree, "libs/common/x.py", '"""Doc."""\nfrom fitjourney_core.db import Base\n')
    assert "library never imports a service" in " ".join(house_rules.check_file(path, None))


def test_modules_importing_each_other_are_reported(tree: Path) -> None:
    write(tree, "libs/common/fitjourney_common/__init__.py", '"""Doc."""\n')
    write(tree, "libs/common/fitjourney_common/a.py", '"""Doc."""\nfrom fitjourney_common.b import B\n')
    write(tree, "libs/common/fitjourney_common/b.py",
          '"""Doc."""\ndef f():\n    from fitjourney_common.a import A  # a lazy import is still a circle\n')
    assert "fitjourney_common.a -> fitjourney_common.b" in " ".join(house_rules.check_import_cycles())


def test_a_type_checking_import_is_no_circle(tree: Path) -> None:
    write(tree, "libs/common/fitjourney_common/__init__.py", '"""Doc."""\n')
    write(tree, "libs/common/fitjourney_common/a.py", '"""Doc."""\nfrom fitjourney_common.b import B\n')
    write(tree, "libs/common/fitjourney_common/b.py",
          '"""Doc."""\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fitjourney_common.a import A\n')
    assert house_rules.check_import_cycles() == []


def test_a_domain_importing_upwards_is_reported(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(house_rules, "SERVICE_PACKAGES", {"core": "fitjourney_core"})
    write(tree, "services/core/fitjourney_core/__init__.py", '"""Doc."""\n')
    write(tree, "services/core/fitjourney_core/summary/service.py",
          '"""Doc."""\nfrom fitjourney_core.workouts.repository import totals\n')
    write(tree, "services/core/fitjourney_core/workouts/service.py",
          '"""Doc."""\nfrom fitjourney_core.summary.cache import drop\n')
    for name in ("summary/__init__.py", "workouts/__init__.py", "workouts/repository.py", "summary/cache.py"):
        write(tree, f"services/core/fitjourney_core/{name}", '"""Doc."""\n')
    problems = " ".join(house_rules.check_import_cycles())
    assert "domains depend on each other" in problems and "fitjourney_core.summary" in problems
