"""Embedded dev mode (`make dev`) for foods, food logs and photos, habits and the journal: SQLite,
in-process Redis and bus, local object store — the same API as on PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core_conftest import asgi_client, start_app
from PIL import Image

from fitjourney_common.events.envelope import new_event
from fitjourney_core.settings import CoreSettings

SERVICE_DIR = Path(__file__).resolve().parents[2]


async def test_food_habits_and_journal_on_sqlite(
    tmp_path: Path, sqlite_dev_settings: CoreSettings, make_token, wait_for,
) -> None:
    settings = sqlite_dev_settings
    user_id, token = make_token()
    headers = {"Authorization": f"Bearer {token}"}
    now = datetime.now(UTC)
    today = now.date()
    async for app in start_app(settings):
        async with asgi_client(app) as client:
            # Catalogue search, ranked and paged, plus a custom food.
            found = (await client.get("/api/v1/foods", params={"q": "rice", "limit": 2}, headers=headers)).json()
            assert len(found["items"]) == 2 and found["next_cursor"]
            more = await client.get("/api/v1/foods", params={"q": "rice", "cursor": found["next_cursor"]},
                                    headers=headers)
            assert more.status_code == 200 and more.json()["items"]
            banana = (await client.get("/api/v1/foods", params={"q": "banana"}, headers=headers)).json()["items"][0]
            custom = await client.post("/api/v1/foods", headers=headers, json={
                "name": "Protein pancake", "per_100g": {"kcal": 200, "protein_g": 20, "carbs_g": 20, "fat_g": 4}})
            assert custom.status_code == 201

            # Food logs: by portion, a day view, an edit.
            logged = await client.post("/api/v1/food-logs", headers=headers, json={
                "food_id": banana["id"], "portion": "medium", "meal": "breakfast", "eaten_at": now.isoformat()})
            assert logged.status_code == 201, logged.text
            day = (await client.get("/api/v1/food-logs", params={"date": today.isoformat()}, headers=headers)).json()
            assert day["totals_by_meal"]["breakfast"]["kcal"] == 105.0
            edited = await client.patch(f"/api/v1/food-logs/{logged.json()['id']}", json={"grams": 236},
                                        headers=headers | {"If-Match": '"1"'})
            assert edited.status_code == 200 and edited.json()["kcal"] == 210.0

            # Photo: local object store, recognition through the in-process bus.
            picture = io.BytesIO()
            Image.new("RGB", (16, 16), (10, 20, 30)).save(picture, format="PNG")
            job = (await client.post("/api/v1/food-logs/photo", headers=headers,
                                     files={"image": ("p.png", picture.getvalue(), "image/png")})).json()
            assert job["status"] == "pending"
            await app.state.runtime.bus.publish_one(new_event("food.photo_recognized", {
                "job_id": job["job_id"], "user_id": str(user_id), "status": "done",
                "candidates": [{"label": "Banana", "confidence": 0.9, "grams": 118, "kcal": 105,
                                "protein_g": 1.3, "carbs_g": 27, "fat_g": 0.4}]}))
            url = f"/api/v1/food-logs/photo/{job['job_id']}"

            async def recognised() -> bool:
                return (await client.get(url, headers=headers)).json()["status"] == "done"

            await wait_for(recognised)
            accepted = await client.post(f"{url}/accept", json={"candidate_index": 0, "meal": "snack"},
                                         headers=headers)
            assert accepted.status_code == 201 and accepted.json()["food_id"] == banana["id"]

            # Habits and streaks.
            habit = (await client.post("/api/v1/habits", json={"name": "Walk", "schedule": ["mon", "tue", "wed",
                                                                "thu", "fri", "sat", "sun"]},
                                       headers=headers)).json()
            for offset in (0, 1, 2):
                response = await client.post(f"/api/v1/habits/{habit['id']}/check-ins", headers=headers,
                                             json={"date": (today - timedelta(days=offset)).isoformat()})
                assert response.status_code == 201
            read = (await client.get(f"/api/v1/habits/{habit['id']}", headers=headers)).json()
            assert (read["current_streak"], read["longest_streak"]) == (3, 3)

            # Journal, encrypted on SQLite too.
            written = await client.put(f"/api/v1/journal/{today.isoformat()}", headers=headers,
                                       json={"mood": 5, "text": "dev mode diary", "tags": ["dev"]})
            assert written.status_code == 201, written.text
            listed = (await client.get("/api/v1/journal", headers=headers)).json()
            assert [item["text"] for item in listed["items"]] == ["dev mode diary"]

            summary = (await client.get("/api/v1/summary/daily", params={"date": today.isoformat()},
                                        headers=headers)).json()
            assert summary["kcal_in"] == 315.0 and summary["habits_done"] == 1
