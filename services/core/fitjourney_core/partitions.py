"""Keeps monthly partitions created ahead for every range-partitioned core table (PostgreSQL only)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

PARTITIONED_TABLES_SQL = text("""
    SELECT format('%I.%I', n.nspname, c.relname)
      FROM pg_partitioned_table p
      JOIN pg_class c ON c.oid = p.partrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'core' AND p.partstrat = 'r' AND NOT c.relispartition
     ORDER BY 1
""")


async def ensure_partitions(engine: AsyncEngine, months_ahead: int) -> dict[str, int]:
    """Create this month's and the next `months_ahead` months' partitions where missing.

    Every partitioned table is found in the catalogue, so a domain that adds one needs no code here.
    Returns how many partitions each table got (tables already complete get 0).
    """
    if engine.dialect.name != "postgresql":
        return {}
    created: dict[str, int] = {}
    this_month = datetime.now(UTC).date().replace(day=1)
    async with engine.begin() as connection:
        tables = (await connection.execute(PARTITIONED_TABLES_SQL)).scalars().all()
        for table in tables:
            count = await connection.scalar(
                text("SELECT core.ensure_monthly_partitions(CAST(:table AS regclass), :month, :ahead)"),
                {"table": table, "month": this_month, "ahead": months_ahead},
            )
            created[table] = int(count or 0)
    if any(created.values()):
        log.info("partitions created ahead: %s", created)
    return created


async def maintain_partitions(engine: AsyncEngine, months_ahead: int, every_seconds: float,
                              stop: asyncio.Event) -> None:
    """Re-run `ensure_partitions` periodically so a replica running for months never falls behind."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_seconds)
        if stop.is_set():
            return
        try:
            await ensure_partitions(engine, months_ahead)
        except Exception:
            log.exception("partition maintenance failed; the DEFAULT partition takes new rows meanwhile")
