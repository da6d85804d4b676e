"""Operator command: (re)import the food catalogue from the shipped USDA SR28 files into DATABASE_URL.

    python -m fitjourney_core.foods.build [--database-url URL]

Run it as the schema owner (the role that runs migrations). It changes only catalogue rows, never a food
log, and an import with nothing new to write changes nothing; migrations call the same import.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

from fitjourney_common.db.engine import create_engine
from fitjourney_core.foods.catalogue import ImportReport, import_catalogue


async def run(database_url: str) -> ImportReport:
    engine = create_engine(database_url, "core", pool_size=1)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(import_catalogue)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fitjourney_core.foods.build", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="default: the DATABASE_URL environment variable")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("set DATABASE_URL or pass --database-url")
    started = time.perf_counter()
    report = asyncio.run(run(args.database_url))
    print(f"catalogue: {report.inserted} inserted, {report.updated} updated, {report.unchanged} unchanged, "
          f"{report.retired} retired in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
