"""Hostile uploads to every upload endpoint of every service (found in their OpenAPI documents: each
multipart operation), run as uvicorn processes on the real PostgreSQL, Redis and moto S3.

What is decided: an image's type is judged by its content, never by its declared Content-Type or name, so a
PNG sent as image/jpeg (and the other way round) is accepted; anything that is not a JPEG, PNG or WebP by its
content is 415; a file whose header announces more pixels than allowed is 413 before any decoding; a file
that starts like an image and is not a readable one (truncated, corrupt) is 422; an empty file is 422; over the
endpoint's byte limit is 413. Every refusal is problem+json naming the field (`image`), never a 5xx, and leaves
nothing behind: no object in the store, no row of that user in any table.
"""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import boto3
import httpx
import pytest
from contract_harness import RunningService, mint_token
from hostile_files import (
    EXIF_MARKER,
    HTML,
    JPEG_POLYGLOT,
    MIB,
    PDF,
    SCRIPT,
    SVG,
    jpeg_announcing,
    jpeg_with_hostile_exif,
    padded_jpeg,
    picture,
    png_bomb,
    png_with_text_bomb,
    truncated,
    zip_file,
)
from PIL import Image
from security_harness import Backends

pytestmark = pytest.mark.timeout(600)

# Each upload endpoint's byte limit (its settings' defaults). An upload operation missing here fails the test.
UPLOAD_LIMITS = {
    ("core", "PUT", "/api/v1/profile/avatar"): 5 * MIB,  # AVATAR_MAX_BYTES
    ("core", "POST", "/api/v1/food-logs/photo"): 10 * MIB,  # PHOTO_MAX_BYTES
    ("ai", "POST", "/api/v1/ai/food-recognition"): 10 * MIB,  # PHOTO_MAX_BYTES of ai
}
ACCEPTED = "accepted"
# Pixel bombs: far past Pillow's own bomb guard, and just past the 40 Mpx limit (MAX_IMAGE_PIXELS).
BOMBS: dict[str, Callable[[], bytes]] = {
    "30000x30000 PNG": lambda: png_bomb(30_000, 30_000),
    "7000x7000 PNG": lambda: png_bomb(7_000, 7_000),
    "30000x30000 JPEG header": lambda: jpeg_announcing(30_000, 30_000),
    "8000x6000 JPEG header": lambda: jpeg_announcing(8_000, 6_000),
}
# A bomb refused by its header must cost next to nothing; peak RSS may not grow by more than this.
BOMB_RSS_GROWTH_MIB = 48


@dataclass(frozen=True)
class Endpoint:
    service: RunningService
    method: str
    path: str
    field: str

    @property
    def name(self) -> str:
        return f"{self.service.name} {self.method} {self.path}"

    @property
    def limit(self) -> int:
        return UPLOAD_LIMITS[(self.service.name, self.method, self.path)]


def upload_operations(service: RunningService) -> list[Endpoint]:
    """Every operation of the service's OpenAPI document with a multipart body, and its file field."""
    document = service.openapi()
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            if body is None:
                continue
            schema = body["schema"]
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            files = [name for name, prop in schema["properties"].items()
                     if prop.get("format") == "binary" or "contentMediaType" in prop]
            assert len(files) == 1, f"{method} {path}: expected one file field, found {files}"
            found.append(Endpoint(service, method.upper(), path, files[0]))
    return found


@dataclass
class Uploads:
    backends: Backends
    endpoints: list[Endpoint]
    processes: list[RunningService]


@pytest.fixture(scope="module")
async def uploads(security_backends: Backends) -> AsyncIterator[Uploads]:
    stack = ExitStack()
    try:
        core, ai = await asyncio.gather(security_backends.start(stack, "core"),
                                        security_backends.start(stack, "ai"))
        processes = [*core, *ai]
        endpoints = [e for service in processes for e in await asyncio.to_thread(upload_operations, service)]
        found = {(e.service.name, e.method, e.path) for e in endpoints}
        assert found == set(UPLOAD_LIMITS), f"upload endpoints changed: add each to UPLOAD_LIMITS: {found}"
        yield Uploads(security_backends, endpoints, processes)
    finally:
        await asyncio.to_thread(stack.close)


async def send(uploads: Uploads, endpoint: Endpoint, user_id: uuid.UUID, data: bytes, filename: str,
               content_type: str) -> httpx.Response:
    token = mint_token(uploads.backends.key.private_pem, user_id)
    async with httpx.AsyncClient(base_url=endpoint.service.base_url, timeout=120) as http:
        return await http.request(endpoint.method, endpoint.path, headers={"authorization": f"Bearer {token}"},
                                  files={endpoint.field: (filename, data, content_type)})


def stored_keys(backends: Backends, user_id: uuid.UUID) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=backends.s3_endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=backends.bucket):
        keys += [item["Key"] for item in page.get("Contents", []) if str(user_id) in item["Key"]]
    return keys


def stored_object(backends: Backends, key: str) -> bytes:
    s3 = boto3.client("s3", endpoint_url=backends.s3_endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    return bytes(s3.get_object(Bucket=backends.bucket, Key=key)["Body"].read())


async def rows_of(backends: Backends, user_id: uuid.UUID) -> dict[str, int]:
    """Rows of this user in every table of every schema that has a `user_id` column."""
    connection = await asyncpg.connect(backends.owner_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tables = await connection.fetch(
            "select table_schema, table_name from information_schema.columns "
            "where column_name = 'user_id' and table_schema not in ('pg_catalog', 'information_schema')")
        counts = {}
        for table in tables:
            name = f'"{table["table_schema"]}"."{table["table_name"]}"'
            counts[name] = await connection.fetchval(f"select count(*) from {name} where user_id = $1", user_id)
        return {name: count for name, count in counts.items() if count}
    finally:
        await connection.close()


def problem_names_field(response: httpx.Response, field: str) -> str | None:
    """Why the refusal is not a problem+json naming `field` (None when it is)."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return f"content-type {response.headers.get('content-type')}"
    problem = response.json()
    if response.status_code == 422:
        if field not in [error.get("field") for error in problem.get("errors", [])]:
            return f"422 errors do not name {field}: {problem}"
    elif field not in problem.get("detail", ""):
        return f"detail does not name {field}: {problem}"
    return None


@dataclass(frozen=True)
class Case:
    make: Callable[[], bytes]
    filename: str
    content_type: str
    expect: str | int  # ACCEPTED, or the status of the refusal


CASES: dict[str, Case] = {
    "PNG declared as image/jpeg": Case(lambda: picture("PNG"), "meal.jpg", "image/jpeg", ACCEPTED),
    "JPEG declared as image/png": Case(lambda: picture("JPEG"), "meal.png", "image/png", ACCEPTED),
    "WebP declared as image/jpeg": Case(lambda: picture("WEBP"), "meal.jpg", "image/jpeg", ACCEPTED),
    "JPEG with a lying 2.6 MB Exif": Case(jpeg_with_hostile_exif, "meal.jpg", "image/jpeg", ACCEPTED),
    "HTML declared as image/jpeg": Case(lambda: HTML, "meal.jpg", "image/jpeg", 415),
    "shell script declared as image/jpeg": Case(lambda: SCRIPT, "meal.jpg", "image/jpeg", 415),
    "SVG with script declared as image/jpeg": Case(lambda: SVG, "meal.jpg", "image/jpeg", 415),
    "SVG as image/svg+xml": Case(lambda: SVG, "meal.svg", "image/svg+xml", 415),
    "PDF declared as image/jpeg": Case(lambda: PDF, "meal.jpg", "image/jpeg", 415),
    "zip declared as image/jpeg": Case(zip_file, "meal.jpg", "image/jpeg", 415),
    "GIF declared as image/jpeg": Case(lambda: picture("GIF", mode="L"), "meal.jpg", "image/jpeg", 415),
    "BMP declared as image/jpeg": Case(lambda: picture("BMP"), "meal.jpg", "image/jpeg", 415),
    "JPEG magic bytes before HTML": Case(lambda: JPEG_POLYGLOT, "meal.jpg", "image/jpeg", 422),
    "truncated JPEG": Case(lambda: truncated(picture("JPEG", (256, 192))), "meal.jpg", "image/jpeg", 422),
    "truncated PNG": Case(lambda: truncated(picture("PNG", (256, 192))), "meal.png", "image/png", 422),
    "truncated WebP": Case(lambda: truncated(picture("WEBP", (256, 192))), "meal.webp", "image/webp", 422),
    "empty file": Case(lambda: b"", "meal.jpg", "image/jpeg", 422),
    "PNG with a 64 MiB zTXt bomb": Case(png_with_text_bomb, "meal.png", "image/png", 422),
    **{f"pixel bomb: {name}": Case(make, "meal.png", "image/png", 413) for name, make in BOMBS.items()},
}


def past_the_checks(endpoint: Endpoint, response: httpx.Response) -> bool:
    """The upload was taken as a picture: core stores it; ai classifies it, or (no food model installed
    here) answers its documented 503 `unavailable`, which it gives only once the file passed every check."""
    if endpoint.service.name == "ai" and response.status_code == 503:
        return bool(response.json()["type"].endswith("/unavailable"))
    return response.status_code in (200, 202)


async def check_upload(uploads: Uploads, endpoint: Endpoint, case: Case, data: bytes) -> str | None:
    """What is wrong with how `endpoint` treated `data` (None when all is as decided)."""
    user_id = uuid.uuid4()
    response = await send(uploads, endpoint, user_id, data, case.filename, case.content_type)
    keys = await asyncio.to_thread(stored_keys, uploads.backends, user_id)
    rows = await rows_of(uploads.backends, user_id)
    if case.expect == ACCEPTED:
        if not past_the_checks(endpoint, response):
            return f"not accepted: {response.status_code} {response.text[:300]}"
        for key in keys:  # what core keeps is re-encoded: no trace of the original's metadata
            stored = await asyncio.to_thread(stored_object, uploads.backends, key)
            if EXIF_MARKER in stored or dict(Image.open(io.BytesIO(stored)).getexif()):
                return f"metadata kept in {key}"
        return None
    if response.status_code != case.expect:
        return f"{response.status_code} instead of {case.expect}: {response.text[:300]}"
    wrong = problem_names_field(response, endpoint.field)
    if wrong:
        return wrong
    if keys or rows:
        return f"left behind: objects {keys}, rows {rows}"
    return None


@pytest.mark.parametrize("name", list(CASES))
async def test_every_upload_endpoint_treats_the_file_as_decided(uploads: Uploads, name: str) -> None:
    case = CASES[name]
    data = await asyncio.to_thread(case.make)
    problems = {e.name: await check_upload(uploads, e, case, data) for e in uploads.endpoints}
    assert {endpoint: wrong for endpoint, wrong in problems.items() if wrong} == {}


async def test_a_file_one_byte_over_each_endpoints_limit_is_413(uploads: Uploads) -> None:
    problems = {}
    for endpoint in uploads.endpoints:
        case = Case(lambda e=endpoint: padded_jpeg(e.limit + 1), "meal.jpg", "image/jpeg", 413)  # type: ignore[misc]
        problems[endpoint.name] = await check_upload(uploads, endpoint, case, case.make())
        # and the same picture at exactly the limit passes the checks
        at_limit = await send(uploads, endpoint, uuid.uuid4(), padded_jpeg(endpoint.limit), "meal.jpg", "image/jpeg")
        if not past_the_checks(endpoint, at_limit):
            problems[f"{endpoint.name} at the limit"] = f"{at_limit.status_code} {at_limit.text[:300]}"
    assert {endpoint: wrong for endpoint, wrong in problems.items() if wrong} == {}


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB, from /proc/<pid>/status."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current RSS (Linux: writing 5 to clear_refs), so a peak is this test's."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def test_pixel_bombs_leave_every_process_answering_with_bounded_memory(
    uploads: Uploads, security_figures: dict[str, object],
) -> None:
    bombs = {name: await asyncio.to_thread(make) for name, make in BOMBS.items()}
    figures: dict[str, Any] = {}
    for process in uploads.processes:
        pid = process.process.pid
        before = memory_kib(pid)
        reset_peak(pid)
        answers = [(await send(uploads, endpoint, uuid.uuid4(), data, "bomb.png", "image/png")).status_code
                   for endpoint in uploads.endpoints if endpoint.service is process for data in bombs.values()]
        after = memory_kib(pid)
        growth_mib = (after["VmHWM"] - before["VmRSS"]) / 1024
        async with httpx.AsyncClient(base_url=process.base_url, timeout=30) as http:
            assert (await http.get("/healthz")).status_code == 200
        assert set(answers) == {413}, answers
        assert growth_mib < BOMB_RSS_GROWTH_MIB, f"{process.name}: peak RSS grew by {growth_mib:.0f} MiB"
        figures[process.name] = {"bombs sent": len(answers), "413": answers.count(413),
                                 "RSS before MiB": round(before["VmRSS"] / 1024),
                                 "peak RSS during MiB": round(after["VmHWM"] / 1024)}
    security_figures["pixel bombs"] = {"files": {name: len(data) for name, data in bombs.items()}, **figures}
