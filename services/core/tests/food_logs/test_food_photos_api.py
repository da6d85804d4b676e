"""The food-photo flow end to end on the real backends: upload → S3 + `food.photo_uploaded` → a
`food.photo_recognized` event published on RabbitMQ → candidates → accept into a food log."""

import asyncio
import io
import json
import struct
import uuid
import zlib
from datetime import UTC, datetime

import boto3
import httpx
import pytest
from core_helpers import broker_listener, publish_event
from fastapi import FastAPI
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from PIL import Image

from fitjourney_common.events.envelope import new_event

CANDIDATES = [
    {"label": "Cheese pizza", "confidence": 0.81, "grams": 200, "kcal": 532, "protein_g": 22.8,
     "carbs_g": 66.6, "fat_g": 19.4},
    {"label": "flatbread with toppings", "confidence": 0.12, "grams": 150, "kcal": 390, "protein_g": 12,
     "carbs_g": 50, "fat_g": 14},
]


def jpeg_with_gps_exif(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0)}  # GPS IFD: where the user lives
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_announcing(width: int, height: int) -> bytes:
    """A small valid PNG whose header claims width x height pixels (a decompression bomb's trick)."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, format="PNG")
    data = bytearray(out.getvalue())
    ihdr = 8  # after the signature: length (4), type (4), data (13), crc (4)
    body = bytes(data[ihdr + 4: ihdr + 8]) + struct.pack(">II", width, height) + bytes(data[ihdr + 16: ihdr + 21])
    data[ihdr + 8: ihdr + 16] = struct.pack(">II", width, height)
    data[ihdr + 21: ihdr + 25] = struct.pack(">I", zlib.crc32(body))
    return bytes(data)


async def upload(client: httpx.AsyncClient, headers, data: bytes, name: str = "meal.jpg",
                 content_type: str = "image/jpeg", **form) -> httpx.Response:
    return await client.post("/api/v1/food-logs/photo", files={"image": (name, data, content_type)},
                             data=form, headers=headers)


def s3_object(settings, key: str) -> dict:
    s3 = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    bucket = settings.object_store_url.removeprefix("s3://").split("/")[0]
    return s3.get_object(Bucket=bucket, Key=key)


async def recognized(settings, job: dict, user_id, status: str = "done", candidates=CANDIDATES,
                     reason: str | None = None) -> None:
    """What the ai service publishes once it looked at the photo."""
    data = {"job_id": job["job_id"], "user_id": str(user_id), "status": status, "candidates": candidates,
            "reason": reason}
    await publish_event(settings.events_exchange, new_event("food.photo_recognized", data))


async def events_of(listener, type_: str, **data) -> list[dict]:
    return [event for event in await listener.drain()
            if event["type"] == type_ and all(str(event["data"].get(k)) == str(v) for k, v in data.items())]


async def test_photo_to_food_log_end_to_end(client: httpx.AsyncClient, app: FastAPI, auth_headers, settings,
                                            wait_for) -> None:
    async with broker_listener(settings.events_exchange, "food.photo_uploaded", "food_log.created") as listener:
        uploaded = await upload(client, auth_headers, jpeg_with_gps_exif())
        assert uploaded.status_code == 202, uploaded.text
        job = uploaded.json()
        assert job["status"] == "pending" and job["candidates"] == []
        assert uploaded.headers["Location"] == f"/api/v1/food-logs/photo/{job['job_id']}"

        # The photo is in S3 under the user's prefix, re-encoded: EXIF (GPS, maker) is gone.
        (event,) = await wait_for(lambda: events_of(listener, "food.photo_uploaded", job_id=job["job_id"]))
        key = event["data"]["object_key"]
        assert key == f"food-photos/{auth_headers.user_id}/{job['job_id']}.jpg"
        assert event["data"]["content_type"] == "image/jpeg" and event["user_id"] == str(auth_headers.user_id)
        stored = await asyncio.to_thread(s3_object, settings, key)
        photo = Image.open(io.BytesIO(stored["Body"].read()))
        assert photo.format == "JPEG" and photo.size == (64, 48)
        assert not photo.getexif() and "exif" not in photo.info

        # The ai service answers on the broker; the user hears about it on their WebSocket.
        async with (
            httpx.AsyncClient(transport=ASGIWebSocketTransport(app), base_url="http://test") as ws_client,
            aconnect_ws("/api/v1/ws", ws_client, subprotocols=["bearer", auth_headers.token]) as socket,
        ):
            assert json.loads(await socket.receive_text(timeout=10))["type"] == "ready"
            await recognized(settings, job, auth_headers.user_id)
            notification = json.loads(await socket.receive_text(timeout=15))
        assert notification == {"type": "food.photo_recognized", "job_id": job["job_id"], "status": "done",
                                "candidates": 2}
        # Told "done", the client finds the candidates at once (the notification follows the commit).
        url = f"/api/v1/food-logs/photo/{job['job_id']}"
        done = (await client.get(url, headers=auth_headers)).json()
        assert done["status"] == "done"
        assert [c["label"] for c in done["candidates"]] == ["Cheese pizza", "flatbread with toppings"]
        assert done["candidates"][0] == CANDIDATES[0] | {"grams": 200.0, "kcal": 532.0}

        # Today's summary is cached now; accepting a candidate must drop it.
        today = {"date": datetime.now(UTC).date().isoformat()}
        assert (await client.get("/api/v1/summary/daily", params=today, headers=auth_headers)).json()["kcal_in"] == 0

        # One POST turns a candidate into a food log; grams rescale the estimate.
        accept = {"id": str(uuid.uuid4()), "candidate_index": 0, "meal": "dinner", "grams": 300}
        accepted = await client.post(f"{url}/accept", json=accept, headers=auth_headers)
        assert accepted.status_code == 201, accepted.text
        food_log = accepted.json()
        # A retried accept (same client id) answers the same log and logs nothing more.
        replayed = await client.post(f"{url}/accept", json=accept, headers=auth_headers)
        assert replayed.status_code == 200 and replayed.json() == food_log
        summary = (await client.get("/api/v1/summary/daily", params=today, headers=auth_headers)).json()
        assert summary["kcal_in"] == 798.0
        assert (food_log["food_name"], food_log["grams"], food_log["kcal"], food_log["protein_g"]) == (
            "Cheese pizza", 300, 798.0, 34.2)
        assert food_log["source"] == "photo" and food_log["photo_job_id"] == job["job_id"]
        assert food_log["food_id"] is None  # no catalogue name starts with "cheese": no link
        fetched = await client.get(f"/api/v1/food-logs/{food_log['id']}", headers=auth_headers)
        assert fetched.status_code == 200 and fetched.json()["meal"] == "dinner"
        await wait_for(lambda: events_of(listener, "food_log.created", food_log_id=food_log["id"]))

    as_estimated = await client.post(f"{url}/accept", json={"candidate_index": 1, "meal": "dinner"},
                                     headers=auth_headers)
    assert as_estimated.status_code == 201
    assert (as_estimated.json()["grams"], as_estimated.json()["kcal"], as_estimated.json()["food_id"]) == (
        150, 390.0, None)


async def _done(client: httpx.AsyncClient, url: str, headers) -> dict | None:
    body = (await client.get(url, headers=headers)).json()
    return body if body["status"] != "pending" else None


async def test_unavailable_recognition_has_nothing_to_accept(client: httpx.AsyncClient, auth_headers, settings,
                                                             wait_for) -> None:
    job = (await upload(client, auth_headers, jpeg_with_gps_exif())).json()
    url = f"/api/v1/food-logs/photo/{job['job_id']}"
    pending = await client.post(f"{url}/accept", json={"candidate_index": 0, "meal": "lunch"}, headers=auth_headers)
    assert pending.status_code == 409
    await recognized(settings, job, auth_headers.user_id, "unavailable", [], reason="no food model is installed")
    body = await wait_for(lambda: _done(client, url, auth_headers))
    assert body["status"] == "unavailable" and body["candidates"] == []
    assert body["reason"] == "no food model is installed"  # the user is told why
    refused = await client.post(f"{url}/accept", json={"candidate_index": 0, "meal": "lunch"}, headers=auth_headers)
    assert refused.status_code == 409


async def test_candidate_index_out_of_range_is_422(client: httpx.AsyncClient, auth_headers, settings,
                                                   wait_for) -> None:
    job = (await upload(client, auth_headers, jpeg_with_gps_exif())).json()
    url = f"/api/v1/food-logs/photo/{job['job_id']}"
    await recognized(settings, job, auth_headers.user_id)
    await wait_for(lambda: _done(client, url, auth_headers))
    response = await client.post(f"{url}/accept", json={"candidate_index": 5, "meal": "lunch"}, headers=auth_headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "candidate_index"


async def test_another_users_photo_job_is_404(client: httpx.AsyncClient, auth_headers, other_auth_headers) -> None:
    job = (await upload(client, auth_headers, jpeg_with_gps_exif())).json()
    url = f"/api/v1/food-logs/photo/{job['job_id']}"
    assert (await client.get(url, headers=other_auth_headers)).status_code == 404
    accept = await client.post(f"{url}/accept", json={"candidate_index": 0, "meal": "lunch"},
                               headers=other_auth_headers)
    assert accept.status_code == 404
    assert (await client.get(url, headers=auth_headers)).status_code == 200


async def test_replayed_upload_answers_the_same_job(client: httpx.AsyncClient, auth_headers) -> None:
    job_id = str(uuid.uuid4())
    first = await upload(client, auth_headers, jpeg_with_gps_exif(), id=job_id)
    again = await upload(client, auth_headers, jpeg_with_gps_exif(), id=job_id)
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json() == again.json() and first.json()["job_id"] == job_id


async def test_png_and_webp_are_accepted(client: httpx.AsyncClient, auth_headers) -> None:
    for format_, content_type in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGB", (32, 32), (10, 200, 10)).save(out, format=format_)
        # Declared type and file name lie on purpose: only the content counts.
        response = await upload(client, auth_headers, out.getvalue(), name="x.gif", content_type="image/gif")
        assert response.status_code == 202, (content_type, response.text)


async def test_photo_over_10_mib_is_413(client: httpx.AsyncClient, auth_headers) -> None:
    too_big = b"\xff\xd8\xff\xe0" + b"\0" * (10 * 1024 * 1024)
    assert (await upload(client, auth_headers, too_big)).status_code == 413


async def test_too_many_pixels_is_413(client: httpx.AsyncClient, auth_headers) -> None:
    response = await upload(client, auth_headers, png_announcing(50_000, 50_000), name="bomb.png",
                            content_type="image/png")
    assert response.status_code == 413, response.text


@pytest.mark.parametrize("data", [b"%PDF-1.7 not a photo at all", b"GIF89a\x01\x00\x01\x00", b"<svg></svg>"])
async def test_anything_but_jpeg_png_webp_is_415(client: httpx.AsyncClient, auth_headers, data) -> None:
    # Named and declared as a JPEG: the content decides.
    assert (await upload(client, auth_headers, data)).status_code == 415


async def test_truncated_image_is_422(client: httpx.AsyncClient, auth_headers) -> None:
    response = await upload(client, auth_headers, jpeg_with_gps_exif((400, 300))[:300])
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "image"


async def test_missing_image_field_is_422(client: httpx.AsyncClient, auth_headers) -> None:
    response = await client.post("/api/v1/food-logs/photo", files={"photo": ("a.jpg", b"x", "image/jpeg")},
                                 headers=auth_headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "image"
