"""Food catalogue import: build the 8,790 SR28 foods from the shipped files, and import them into a fresh
database (what every migration of a new database does) and again with nothing changed (the operator
command on an up-to-date database), on PostgreSQL and on SQLite.

    .venv/bin/python deploy/bench/bench_food_catalogue.py

Creates throwaway databases (PostgreSQL at 127.0.0.1:5432, a SQLite file in a temporary folder), prints
one JSON line and appends it to deploy/bench/results/food_catalogue.jsonl.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from benchlib import record

from fitjourney_common.db.engine import create_engine
from fitjourney_common.db.migrations import upgrade_to_head
from fitjourney_common.testing.postgres import temporary_database
from fitjourney_core.foods import build
from fitjourney_core.foods.catalogue import build_catalogue

SERVICE_DIR = Path(__file__).resolve().parents[2] / "services" / "core"


async def _timed_import(url: str) -> dict[str, float]:
    """Migrate (which imports the catalogue once), then time a forced full import and an unchanged one."""
    await asyncio.to_thread(upgrade_to_head, SERVICE_DIR, url)
    first = time.perf_counter()
    unchanged = await build.run(url)
    unchanged_s = time.perf_counter() - first
    assert unchanged.inserted == unchanged.updated == 0
    return {"reimport_unchanged_s": round(unchanged_s, 2)}


async def _full_import_postgres(url: str) -> float:
    """Empty the catalogue, then time the import of every food (the migration of a new database)."""
    engine = create_engine(url, "core", pool_size=1)
    async with engine.begin() as connection:
        await connection.execute(sa.text("DELETE FROM core.food_catalogue"))
    await engine.dispose()
    started = time.perf_counter()
    report = await build.run(url)
    assert report.inserted == len(build_catalogue())
    return round(time.perf_counter() - started, 2)


async def main() -> dict[str, Any]:
    build_catalogue.cache_clear()
    started = time.perf_counter()
    foods = build_catalogue()
    result: dict[str, Any] = {"foods": len(foods), "build_s": round(time.perf_counter() - started, 2)}
    async with temporary_database("fj_bench_foods") as url:
        result["postgres"] = await _timed_import(url)
        result["postgres"]["full_import_s"] = await _full_import_postgres(url)
    with tempfile.TemporaryDirectory() as folder:
        result["sqlite"] = await _timed_import(f"sqlite+aiosqlite:///{folder}/bench.db")
    return result


if __name__ == "__main__":
    record("food_catalogue", asyncio.run(main()))
