"""Start a new service from the template: `python deploy/new_service.py analytics` copies
services/_template to services/analytics, renaming `skeleton` (package, schema, paths) to the new name.

What it cannot do for you is on the checklist in services/README.md (workspace lists, kong.yml, compose,
Helm values): the copy is a working service on its own, wiring it into the platform is a review step.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "services" / "_template"
PLACEHOLDER = "skeleton"
NAME = re.compile(r"^[a-z][a-z0-9]{1,30}$")


def create_service(name: str, root: Path = ROOT) -> Path:
    """Copy the template to `root/services/<name>` with every `skeleton`/`Skeleton` renamed; returns its folder."""
    if not NAME.match(name) or name == PLACEHOLDER:
        raise ValueError("the name is lowercase letters and digits (it becomes fitjourney_<name> and a schema)")
    target = root / "services" / name
    if target.exists():
        raise FileExistsError(f"{target} exists already")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache")
    shutil.copytree(TEMPLATE, target, ignore=ignore)
    for path in sorted(target.rglob("*"), key=lambda p: len(p.parts), reverse=True):  # deepest first
        if path.is_file():
            text = path.read_text()
            path.write_text(text.replace(PLACEHOLDER, name).replace(PLACEHOLDER.title(), name.title()))
        if PLACEHOLDER in path.name:
            path.rename(path.with_name(path.name.replace(PLACEHOLDER, name)))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the service's name, e.g. analytics")
    args = parser.parse_args(argv)
    try:
        target = create_service(args.name)
    except (ValueError, FileExistsError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"created {target.relative_to(ROOT)}; now follow the checklist in services/README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
