"""Every user-owned resource behind one small interface, so the offline-first and ownership rules can be
checked for all of them by the same tests (create with a client id, read, update with If-Match, delete)."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from core_helpers import body_metric_body, publish_event, workout_body
from PIL import Image

from fitjourney_common.events.envelope import new_event
from fitjourney_core.foods.catalogue import sr28_id

API = "/api/v1"


def if_match(version: int | None) -> dict[str, str]:
    return {} if version is None else {"If-Match": f'"{version}"'}


class Resource:
    """A resource as a client sees it. `variant` picks one of two different updates (1 or 2), so a
    stale update never equals the one that won (an identical write would be a harmless replay)."""

    name: str  # its name in the sync feed
    # What another user's update answers: 404, except where the URL names a slot every user has.
    other_update_status = 404
    deletable = True

    def __init__(self, client: httpx.AsyncClient, headers: Any) -> None:
        self.client, self.headers = client, headers

    def as_user(self, headers: Any) -> Resource:
        """The same resource, spoken to by another user."""
        other = type(self)(self.client, headers)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k not in ("client", "headers")})
        return other

    async def request(self, method: str, path: str, version: int | None = None, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, API + path, headers={**self.headers, **if_match(version)}, **kwargs)

    async def prepare(self) -> None:
        """Make what a create needs first (e.g. a check-in's habit)."""

    async def create(self, client_id: str | None = None) -> httpx.Response:
        raise NotImplementedError

    def resource_id(self, created: dict[str, Any]) -> str:
        return str(created["id"])

    def path(self, created: dict[str, Any]) -> str:
        raise NotImplementedError

    async def read(self, created: dict[str, Any]) -> httpx.Response:
        return await self.request("GET", self.path(created))

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        raise NotImplementedError

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        """Whether `record` carries the update `variant`."""
        raise NotImplementedError

    async def delete(self, created: dict[str, Any], version: int | None = None) -> httpx.Response:
        return await self.request("DELETE", self.path(created), version)


class Workout(Resource):
    name = "workout"

    async def create(self, client_id: str | None = None) -> httpx.Response:
        return await self.request("POST", "/workouts", json=workout_body(**({"id": client_id} if client_id else {})))

    def path(self, created: dict[str, Any]) -> str:
        return f"/workouts/{created['id']}"

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        return await self.request("PATCH", self.path(created), version, json={"notes": f"variant {variant}"})

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        return bool(record["notes"] == f"variant {variant}")


class BodyMetric(Resource):
    name = "body_metric"

    async def create(self, client_id: str | None = None) -> httpx.Response:
        return await self.request("POST", "/body-metrics",
                                  json=body_metric_body(**({"id": client_id} if client_id else {})))

    def path(self, created: dict[str, Any]) -> str:
        return f"/body-metrics/{created['id']}"

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        return await self.request("PATCH", self.path(created), version, json={"weight_kg": 70 + variant})

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        return bool(record["weight_kg"] == 70 + variant)


class CustomFood(Resource):
    name = "food"

    async def create(self, client_id: str | None = None) -> httpx.Response:
        body = {"name": f"Test stew {uuid.uuid4().hex[:6]}", "portions": [{"name": "bowl", "grams": 350}],
                "per_100g": {"kcal": 120, "protein_g": 7, "carbs_g": 15, "fat_g": 3, "fibre_g": 4}}
        return await self.request("POST", "/foods", json=body | ({"id": client_id} if client_id else {}))

    def path(self, created: dict[str, Any]) -> str:
        return f"/foods/{created['id']}"

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        return await self.request("PATCH", self.path(created), version, json={"per_100g": {"kcal": 120 + variant}})

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        return bool(record["per_100g"]["kcal"] == 120 + variant)


class FoodLog(Resource):
    name = "food_log"

    async def create(self, client_id: str | None = None) -> httpx.Response:
        body = {"food_id": str(sr28_id("09040")), "grams": 100, "meal": "lunch",
                "eaten_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}
        return await self.request("POST", "/food-logs", json=body | ({"id": client_id} if client_id else {}))

    def path(self, created: dict[str, Any]) -> str:
        return f"/food-logs/{created['id']}"

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        return await self.request("PATCH", self.path(created), version, json={"grams": 100 + variant})

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        return bool(record["grams"] == 100 + variant)


class Habit(Resource):
    name = "habit"

    async def create(self, client_id: str | None = None) -> httpx.Response:
        body = {"name": "Stretch"} | ({"id": client_id} if client_id else {})
        return await self.request("POST", "/habits", json=body)

    def path(self, created: dict[str, Any]) -> str:
        return f"/habits/{created['id']}"

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        return await self.request("PATCH", self.path(created), version, json={"name": f"Stretch {variant}"})

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        return bool(record["name"] == f"Stretch {variant}")


class CheckIn(Resource):
    """Lives under a habit; posting the same date again is the update (it sets that date's count)."""

    name = "check_in"
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()

    async def prepare(self) -> None:
        if not hasattr(self, "habit_id"):  # the habit is made once; a replayed create reuses it
            habit = await self.request("POST", "/habits", json={"name": "Walk"})
            assert habit.status_code == 201, habit.text
            self.habit_id = habit.json()["id"]

    async def create(self, client_id: str | None = None) -> httpx.Response:
        await self.prepare()
        return await self._post(1, client_id=client_id)

    async def _post(self, count: int, version: int | None = None, client_id: str | None = None) -> httpx.Response:
        body = {"date": self.day, "count": count} | ({"id": client_id} if client_id else {})
        return await self.request("POST", f"/habits/{self.habit_id}/check-ins", version, json=body)

    def path(self, created: dict[str, Any]) -> str:
        return f"/habits/{self.habit_id}/check-ins/{self.day}"

    async def read(self, created: dict[str, Any]) -> httpx.Response:
        """The check-in as the habit's list shows it (a 404 when it is not there)."""
        listed = await self.request("GET", f"/habits/{self.habit_id}/check-ins")
        if listed.status_code != 200:
            return listed
        found = [item for item in listed.json()["items"] if item["id"] == created["id"]]
        return httpx.Response(200, json=found[0]) if found else httpx.Response(404)

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        return await self._post(1 + variant, version)

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        return bool(record["count"] == 1 + variant)


class JournalEntry(Resource):
    """Named by its date: PUT creates or replaces. Another user's PUT to the same date writes their own."""

    name = "journal"
    other_update_status = 201
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()

    async def create(self, client_id: str | None = None) -> httpx.Response:
        body = {"mood": 3, "text": "first"} | ({"id": client_id} if client_id else {})
        return await self.request("PUT", f"/journal/{self.day}", json=body)

    def path(self, created: dict[str, Any]) -> str:
        return f"/journal/{self.day}"

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        return await self.request("PUT", self.path(created), version, json={"mood": 3, "text": f"variant {variant}"})

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        return bool(record["text"] == f"variant {variant}")


class Profile(Resource):
    """One per user, created by the first read; it is updated, never deleted."""

    name = "profile"
    deletable = False

    async def create(self, client_id: str | None = None) -> httpx.Response:
        return await self.request("GET", "/profile")

    def resource_id(self, created: dict[str, Any]) -> str:
        return str(created["user_id"])

    def path(self, created: dict[str, Any]) -> str:
        return "/profile"

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        return await self.request("PUT", "/profile", version, json={"display_name": f"variant {variant}"})

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        return bool(record["display_name"] == f"variant {variant}")


class PhotoJob(Resource):
    """Created by uploading a photo; updated by the AI service's answer (published here as it would);
    never deleted by the user."""

    name = "photo_job"
    deletable = False

    def __init__(self, client: httpx.AsyncClient, headers: Any, exchange: str = "") -> None:
        super().__init__(client, headers)
        self.exchange = exchange

    async def create(self, client_id: str | None = None) -> httpx.Response:
        image = io.BytesIO()
        Image.new("RGB", (32, 24), (200, 120, 40)).save(image, format="JPEG")
        form = {"id": client_id} if client_id else {}
        return await self.client.post(API + "/food-logs/photo", files={"image": ("meal.jpg", image.getvalue(),
                                                                                 "image/jpeg")},
                                      data=form, headers=self.headers)

    def resource_id(self, created: dict[str, Any]) -> str:
        return str(created["job_id"])

    def path(self, created: dict[str, Any]) -> str:
        return f"/food-logs/photo/{created['job_id']}"

    async def update(self, created: dict[str, Any], variant: int, version: int | None = None) -> httpx.Response:
        data = {"job_id": created["job_id"], "user_id": str(self.headers.user_id), "status": "done", "candidates": [
            {"label": f"Banana {variant}", "confidence": 0.9, "grams": 100, "kcal": 89, "protein_g": 1.1,
             "carbs_g": 22.8, "fat_g": 0.3}]}
        await publish_event(self.exchange, new_event("food.photo_recognized", data))
        return httpx.Response(202)

    def shows(self, record: dict[str, Any], variant: int) -> bool:
        return bool(record["candidates"] and record["candidates"][0]["label"] == f"Banana {variant}")


# Resources a client creates with its own id (the profile is created by reading it).
CREATABLE: tuple[type[Resource], ...] = (Workout, BodyMetric, CustomFood, FoodLog, Habit, CheckIn, JournalEntry)
UPDATABLE: tuple[type[Resource], ...] = (*CREATABLE, Profile)
# Every resource a test can drive, by its name in the sync feed (and in `fitjourney_core.resources`).
DRIVERS: dict[str, type[Resource]] = {resource.name: resource for resource in (*UPDATABLE, PhotoJob)}
