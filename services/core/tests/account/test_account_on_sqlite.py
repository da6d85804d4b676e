"""Export and erasure in embedded dev mode (`make dev`): SQLite, in-process bus, local object store."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core_conftest import asgi_client, start_app
from core_helpers import rows_of_user, workout_body

from fitjourney_core.settings import CoreSettings

SERVICE_DIR = Path(__file__).resolve().parents[2]
API = "/api/v1"


async def test_export_and_erasure_work_on_sqlite_and_in_process_backends(
    tmp_path: Path, sqlite_dev_settings: CoreSettings, make_token, wait_for,
) -> None:
    settings = sqlite_dev_settings
    user_id, token = make_token()
    headers = {"Authorization": f"Bearer {token}"}
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    async for app in start_app(settings):
        async with asgi_client(app) as client:
            assert (await client.post(f"{API}/workouts", json=workout_body(), headers=headers)).status_code == 201
            journal = await client.put(f"{API}/journal/{day}", json={"text": "Quiet recovery day"}, headers=headers)
            assert journal.status_code == 201

            requested = await client.post(f"{API}/me/export", headers=headers)
            assert requested.status_code == 202
            location = requested.headers["Location"]

            async def ready() -> dict[str, str] | None:
                body: dict[str, str] = (await client.get(location, headers=headers)).json()
                return body if body["status"] == "ready" else None

            export = await wait_for(ready, timeout=20)
            # The local store's signed URL is served by the app itself.
            download = await client.get(export["url"].removeprefix("http://127.0.0.1:8000"))
            assert download.status_code == 200
            archive = zipfile.ZipFile(io.BytesIO(download.content))
            assert len(json.loads(archive.read("workouts.json"))) == 1
            assert json.loads(archive.read("journal.json"))[0]["text"] == "Quiet recovery day"

            erased = await client.request("DELETE", f"{API}/me", json={"confirm": "DELETE"}, headers=headers)
            assert erased.status_code == 202

            await wait_for(lambda: _rows_gone(app, user_id), timeout=15)
            assert (await client.get(f"{API}/workouts", headers=headers)).status_code == 401
            await wait_for(lambda: not (tmp_path / "objects" / "exports" / str(user_id)).exists())


async def _rows_gone(app, user_id) -> bool:
    return await rows_of_user(app, "workouts", user_id) == 0
