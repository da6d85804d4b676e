"""`make dev`'s backends (SQLite, no time zones in SQL): the same DST week gives the same figures."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
from analytics_helpers import CORE_DIR, SERVICE_DIR
from analytics_scenario import NOW, fill_berlin_week
from asgi_lifespan import LifespanManager
from core_rows import CoreRows
from dashboard.test_dashboard import DASHBOARD, check_berlin_week

from fitjourney_analytics.main import create_app
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_common.db.migrations import upgrade_to_head
from fitjourney_common.testing.tokens import TestSigner


async def test_dev_mode_dashboard_matches_postgres(tmp_path: Path, signer: TestSigner) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/fitjourney.db"
    for service_dir in (CORE_DIR, SERVICE_DIR):
        await asyncio.to_thread(upgrade_to_head, service_dir, database_url)
    rows = CoreRows(database_url)
    user_id = uuid.uuid4()
    try:
        await fill_berlin_week(rows, user_id, uuid.uuid4())
    finally:
        await rows.close()
    settings = AnalyticsSettings(
        environment="dev", database_url=database_url, redis_url=f"memory://analytics-{tmp_path.name}",
        broker_url="memory://", object_store_url=f"file://{tmp_path}/objects", jwks_url=f"file://{signer.jwks_path}",
        log_json=False, log_level="WARNING", business_metrics_refresh_seconds=3600,
    )
    app = create_app(settings)
    async with LifespanManager(app):
        app.state.clock = lambda: NOW
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            response = await client.get(DASHBOARD, params={"period": "week"}, headers=signer.headers(user_id))
    assert response.status_code == 200, response.text
    check_berlin_week(response.json())
