"""Embedded dev mode (`make dev`): SQLite, in-process Redis and bus, local object store — same API."""

from __future__ import annotations

import io
from pathlib import Path

from core_conftest import asgi_client, start_app
from core_helpers import body_metric_body, workout_body
from PIL import Image

from fitjourney_core.settings import CoreSettings

SERVICE_DIR = Path(__file__).resolve().parents[2]


async def test_core_runs_on_sqlite_and_in_process_backends(
    tmp_path: Path, sqlite_dev_settings: CoreSettings, make_token, wait_for,
) -> None:
    settings = sqlite_dev_settings
    _, token = make_token()
    headers = {"Authorization": f"Bearer {token}"}
    async for app in start_app(settings):
        async with asgi_client(app) as client:
            workout = await client.post("/api/v1/workouts", json=workout_body(), headers=headers)
            assert workout.status_code == 201, workout.text
            assert (await client.get(f"/api/v1/workouts/{workout.json()['id']}", headers=headers)).status_code == 200
            metric = await client.post("/api/v1/body-metrics", json=body_metric_body(), headers=headers)
            assert metric.status_code == 201
            profile = await client.put("/api/v1/profile", json={"sex": "female", "height_cm": 165}, headers=headers)
            assert profile.status_code == 200 and profile.json()["bmi"] is not None

            picture = io.BytesIO()
            Image.new("RGB", (16, 16), (10, 20, 30)).save(picture, format="JPEG")
            avatar = await client.put("/api/v1/profile/avatar", headers=headers,
                                      files={"image": ("me.jpg", picture.getvalue(), "image/jpeg")})
            assert avatar.status_code == 200, avatar.text
            served = await client.get(avatar.json()["avatar_url"].removeprefix("http://127.0.0.1:8000"))
            assert served.status_code == 200 and served.content.startswith(b"\xff\xd8")

            day = workout.json()["started_at"][:10]
            summary = await client.get("/api/v1/summary/daily", params={"date": day}, headers=headers)
            assert summary.status_code == 200 and summary.json()["workouts"] == 1
            feed = (await client.get("/api/v1/sync", headers=headers)).json()
            assert {c["resource"] for c in feed["changes"]} >= {"workout", "body_metric", "profile"}
            # SQLite hands back naive datetimes; clients still get UTC with its offset.
            assert all(c["changed_at"].endswith("Z") for c in feed["changes"])
            # The in-process relay publishes the outbox too.
            await wait_for(lambda: _outbox_empty(app))


async def _outbox_empty(app) -> bool:
    return await app.state.runtime.relay.pending_count() == 0
