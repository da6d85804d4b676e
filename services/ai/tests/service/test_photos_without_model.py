"""Without a model a photo job ends `unavailable` with its reason (and /readyz says so)."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
from ai_conftest import WaitFor
from ai_helpers import Wire
from PIL import Image

from fitjourney_common.events.envelope import new_event


async def test_photo_without_a_model_is_unavailable_with_a_reason(app: Any, wire: Wire, wait_for: WaitFor) -> None:
    user_id, job_id = uuid.uuid4(), uuid.uuid4()
    await wire.publish([new_event("food.photo_uploaded", {  # type: ignore[attr-defined]
        "job_id": job_id, "user_id": user_id, "version": 1, "object_key": f"food-photos/{user_id}/{job_id}.jpg",
        "content_type": "image/jpeg", "after": {"status": "pending", "content_type": "image/jpeg"}}, user_id)])
    [answer] = await wait_for(lambda: wire.of("food.photo_recognized", job_id=job_id))
    assert answer.data["status"] == "unavailable"
    assert answer.data["candidates"] == []
    assert "make food-model" in answer.data["reason"] or "torch" in answer.data["reason"]


async def test_readyz_reports_the_missing_capability_but_stays_ready(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["capabilities"]["food_recognition"]["available"] is False
    assert body["capabilities"]["food_recognition"]["reason"]
    assert body["capabilities"]["openai_insights"]["available"] is False


async def test_sync_recognition_without_a_model_answers_503(client: httpx.AsyncClient, auth_headers: Any) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(photo, format="JPEG")
    response = await client.post("/api/v1/ai/food-recognition", headers=auth_headers,
                                 files={"image": ("x.jpg", photo.getvalue(), "image/jpeg")})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_file_that_is_no_picture_is_refused_before_the_missing_model_matters(
    client: httpx.AsyncClient, auth_headers: Any,
) -> None:
    not_a_picture = await client.post("/api/v1/ai/food-recognition", headers=auth_headers,
                                      files={"image": ("x.jpg", b"<html>hello</html>", "image/jpeg")})
    assert not_a_picture.status_code == 415
    cut = await client.post("/api/v1/ai/food-recognition", headers=auth_headers,
                            files={"image": ("x.jpg", b"\xff\xd8\xff\xe0not really", "image/jpeg")})
    assert cut.status_code == 422 and cut.json()["errors"][0]["field"] == "image"
