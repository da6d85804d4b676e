"""Checks the house rules of DESIGN §3/§9 that ruff cannot: service boundaries (no service imports another,
no library imports a service), SQL only in repositories (and migrations), no commit in services."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Folder → its package (services/_template holds fitjourney_skeleton, the template of a new service).
SERVICE_PACKAGES = {p.name: package.parent.name for p in (ROOT / "services").iterdir() if p.is_dir()
                    for package in p.glob("fitjourney_*/__init__.py")}
# SQLAlchemy statement builders (called by bare name) and session/connection calls that run SQL.
SQL_BUILDERS = {"select", "insert", "update", "delete", "text"}
SQL_RUNNERS = {"execute", "scalars", "scalar", "stream"}
# What a runner is called on when it runs SQL (a Redis pipeline's `execute` is not SQL).
SQL_RECEIVERS = ("session", "connection", "conn", "engine")
# Service modules that may run SQL although they are no repository, and why. Everything else keeps SQL
# in a `repository.py` (or in alembic/ migrations).
SQL_ALLOWED = {
    "services/core/fitjourney_core/ddl.py": "DDL helpers the migrations call (RLS policies, partitions)",
    "services/core/fitjourney_core/partitions.py": "schema upkeep: creates next months' partitions",
    "services/core/fitjourney_core/foods/catalogue.py": "the catalogue import a migration runs in bulk",
    "services/analytics/fitjourney_analytics/reader_role.py": "the read-only role and grants `make migrate` keeps",
}


def imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def called_names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Names called bare (`select(...)`) and attributes called (`session.execute(...)`)."""
    bare: set[str] = set()
    attributes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                bare.add(func.id)
            elif isinstance(func, ast.Attribute):
                attributes.add(func.attr)
    return bare, attributes


def sql_calls(tree: ast.AST) -> set[str]:
    """SQL statement builders imported from SQLAlchemy and called, and SQL run on a session or connection."""
    builders: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            builders |= {alias.asname or alias.name for alias in node.names if alias.name in SQL_BUILDERS}
        elif isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "sqlalchemy"}
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in builders:
            found.add(func.id)
        elif isinstance(func, ast.Attribute):
            receiver = ast.unparse(func.value).lower()
            builds = func.attr in SQL_BUILDERS and receiver in modules
            runs = func.attr in SQL_RUNNERS and any(word in receiver for word in SQL_RECEIVERS)
            if builds or runs:
                found.add(func.attr)
    return found


def check_file(path: Path, service: str | None) -> list[str]:
    source = path.read_text()
    tree = ast.parse(source, filename=str(path))
    problems: list[str] = []
    rel = path.relative_to(ROOT)
    if ast.get_docstring(tree) is None and path.stat().st_size > 0:
        problems.append(f"{rel}: a module starts with a one-line docstring saying what it is for")
    if service is not None:
        own = SERVICE_PACKAGES[service]
        for module in imported_modules(tree):
            top = module.split(".")[0]
            if top.startswith("fitjourney_") and top not in (own, "fitjourney_common"):
                problems.append(f"{rel}: a service never imports another service's package ({module})")
    else:
        for module in imported_modules(tree):
            if module.split(".")[0] in SERVICE_PACKAGES.values():
                problems.append(f"{rel}: a library never imports a service ({module}); services use libraries")
    bare, attributes = called_names(tree)
    if path.name == "router.py":
        sql = (bare & SQL_BUILDERS) | (attributes & SQL_RUNNERS)
        if sql:
            problems.append(f"{rel}: no SQL in routers (calls {', '.join(sorted(sql))}); use the repository")
    elif service is not None and path.name not in ("repository.py", "models.py") and str(rel) not in SQL_ALLOWED:
        sql = sql_calls(tree)
        if sql:
            problems.append(f"{rel}: SQL belongs in a repository.py (calls {', '.join(sorted(sql))})")
    in_service_layer = path.name in ("service.py", "repository.py") or path.parent.name == "services"
    if in_service_layer and "commit" in attributes:
        problems.append(f"{rel}: services never commit; the request's session dependency does")
    return problems


# Services whose domains must stand on floors (a domain imports only the shared layer and domains below
# it): a cycle between two of their top-level packages or modules is reported. auth's `runtime` still
# builds parts of its domains (oauth providers, the refresh-token cache), so it is checked per module only.
LAYERED_SERVICES = {"core"}


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def runtime_imports(tree: ast.AST) -> list[str]:
    """Modules a module imports when it runs (at the top or inside functions), `from x import y` also as
    `x.y`; imports under `if TYPE_CHECKING:` are left out (they never run)."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_block(child):
                for other in child.orelse:  # type: ignore[attr-defined]
                    visit_node(other)
                continue
            visit_node(child)

    def visit_node(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        visit(node)

    visit(tree)
    return found


def import_graph(package_dir: Path, depth: int) -> dict[str, set[str]]:
    """Edges between the package's units (modules, or with depth 1 its top-level packages and modules)."""
    package = package_dir.name
    modules: dict[str, Path] = {}
    for path in package_dir.rglob("*.py"):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path

    def unit(module: str) -> str:
        return ".".join(module.split(".")[:1 + depth])

    edges: dict[str, set[str]] = {}
    for module, path in modules.items():
        for imported in runtime_imports(ast.parse(path.read_text())):
            if imported.split(".")[0] != package:
                continue
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and unit(imported) != unit(module):
                edges.setdefault(unit(module), set()).add(unit(imported))
    return edges


def import_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of units that import each other, directly or around a circle (Tarjan's SCC)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def strong(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                strong(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            strong(node)
    return cycles


def check_import_cycles() -> list[str]:
    problems: list[str] = []
    packages = [(path, None) for path in (ROOT / "libs").glob("*/fitjourney_*") if path.is_dir()]
    packages += [(ROOT / "services" / service / package, service) for service, package in SERVICE_PACKAGES.items()
                 if (ROOT / "services" / service / package).is_dir()]
    for package_dir, service in packages:
        for cycle in import_cycles(import_graph(package_dir, depth=99)):
            problems.append(f"{package_dir.relative_to(ROOT)}: modules import each other: {' -> '.join(cycle)}")
        if service in LAYERED_SERVICES:
            for cycle in import_cycles(import_graph(package_dir, depth=1)):
                problems.append(f"{package_dir.relative_to(ROOT)}: these domains depend on each other (a domain "
                                f"imports only the shared layer and domains below it): {', '.join(cycle)}")
    return problems


def main() -> int:
    problems: list[str] = []
    for path in sorted((ROOT / "libs").rglob("*.py")):
        if "tests" not in path.parts:
            problems += check_file(path, None)
    for service in SERVICE_PACKAGES:
        for path in sorted((ROOT / "services" / service).rglob("*.py")):
            if "tests" in path.parts or "alembic" in path.parts:
                continue
            problems += check_file(path, service)
    problems += check_import_cycles()
    for problem in problems:
        print(problem)
    print(f"house rules: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
