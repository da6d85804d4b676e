"""Object stores: S3 through a real moto server, and the local folder store with its signed-URL router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from fastapi import FastAPI

from fitjourney_common.errors import NotFound
from fitjourney_common.settings import CommonSettings
from fitjourney_common.storage import (
    LocalObjectStore,
    ObjectStore,
    S3ObjectStore,
    create_object_store,
    local_objects_router,
)

PUBLIC_BASE_URL = "http://127.0.0.1:8000"
SECRET = "test-object-url-secret"


@pytest.fixture
async def s3_store(s3_endpoint: str, unique: str) -> S3ObjectStore:
    store = S3ObjectStore(f"bucket-{unique}", endpoint_url=s3_endpoint)
    await store.ensure_bucket()
    return store


@pytest.fixture
def local_store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects", PUBLIC_BASE_URL, SECRET)


@pytest.fixture
async def objects_client(local_store: LocalObjectStore) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(local_objects_router(local_store))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_BASE_URL) as client:
        yield client


async def fill(store: ObjectStore, keys: list[str]) -> None:
    for key in keys:
        await store.put(key, key.encode(), "text/plain")


# --- both stores ------------------------------------------------------------------------------------

PREFIX_KEYS = ["users/1/avatar.png", "users/1/exports/2024.zip", "users/12/avatar.png", "users/2/avatar.png"]


async def assert_delete_prefix_removes_only_that_prefix(store: ObjectStore) -> None:
    """With PREFIX_KEYS stored: users/1/ goes (both of its keys), users/12/ and users/2/ stay."""
    assert await store.delete_prefix("users/1/") == 2

    for key in ("users/1/avatar.png", "users/1/exports/2024.zip"):
        with pytest.raises(NotFound):
            await store.get(key)
    assert await store.get("users/12/avatar.png") == b"users/12/avatar.png"
    assert await store.get("users/2/avatar.png") == b"users/2/avatar.png"
    assert await store.delete_prefix("users/1/") == 0


@pytest.fixture(params=["s3", "local"])
def store(request: pytest.FixtureRequest) -> ObjectStore:
    """Each store in turn, for what both must do alike."""
    return request.getfixturevalue(f"{request.param}_store")


async def test_a_missing_object_is_not_found_and_deleting_it_is_fine(store: ObjectStore) -> None:
    with pytest.raises(NotFound):
        await store.get("users/1/none.bin")
    await store.delete("users/1/none.bin")

    await store.put("users/1/x.bin", b"x", "application/octet-stream")
    await store.delete("users/1/x.bin")
    with pytest.raises(NotFound):
        await store.get("users/1/x.bin")


# --- S3 (moto server) --------------------------------------------------------------------------------


async def test_s3_put_get_and_presigned_url_serves_the_bytes(s3_store: S3ObjectStore) -> None:
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    await s3_store.put("users/1/food/photo.png", photo, "image/png")

    assert await s3_store.get("users/1/food/photo.png") == photo
    url = await s3_store.presigned_url("users/1/food/photo.png", expires_seconds=60)
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == photo
    assert response.headers["content-type"] == "image/png"
    assert "X-Amz-Signature" in url


async def test_s3_delete_prefix_removes_only_that_prefix_across_batches(s3_store: S3ObjectStore) -> None:
    await fill(s3_store, PREFIX_KEYS)
    s3_store.delete_batch_size = 1  # several list/delete pages without writing thousands of objects

    await assert_delete_prefix_removes_only_that_prefix(s3_store)


async def test_s3_ensure_bucket_is_idempotent_and_ping_tells_a_missing_bucket(
    s3_endpoint: str, unique: str,
) -> None:
    store = S3ObjectStore(f"late-{unique}", endpoint_url=s3_endpoint)
    assert await store.ping() is False
    await store.ensure_bucket()
    await store.ensure_bucket()
    assert await store.ping() is True


async def test_s3_store_from_settings_keeps_objects_under_its_prefix(s3_endpoint: str, unique: str) -> None:
    settings = CommonSettings(object_store_url=f"s3://cfg-{unique}/fitjourney/dev", s3_endpoint_url=s3_endpoint)
    store = create_object_store(settings)
    assert isinstance(store, S3ObjectStore)
    await store.ensure_bucket()

    await store.put("reports/r1.csv", b"day,kcal\n", "text/csv")

    raw = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    listed = raw.list_objects_v2(Bucket=f"cfg-{unique}")
    assert [item["Key"] for item in listed["Contents"]] == ["fitjourney/dev/reports/r1.csv"]
    assert await store.get("reports/r1.csv") == b"day,kcal\n"


# --- Local folder store -----------------------------------------------------------------------------


async def test_local_signed_url_serves_the_bytes_with_their_content_type(
    local_store: LocalObjectStore, objects_client: httpx.AsyncClient,
) -> None:
    await local_store.put("users/1/report 2024.pdf", b"%PDF-1.7 report", "application/pdf")

    url = await local_store.presigned_url("users/1/report 2024.pdf", expires_seconds=60)
    assert url.startswith(f"{PUBLIC_BASE_URL}/_objects/users/1/report%202024.pdf?expires=")
    response = await objects_client.get(url)

    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 report"
    assert response.headers["content-type"] == "application/pdf"


async def test_local_tampered_or_expired_signature_is_forbidden(
    local_store: LocalObjectStore, objects_client: httpx.AsyncClient,
) -> None:
    await local_store.put("users/1/a.txt", b"mine", "text/plain")
    await local_store.put("users/2/a.txt", b"someone else's", "text/plain")
    url = await local_store.presigned_url("users/1/a.txt")
    query = parse_qs(urlsplit(url).query)
    expires, signature = query["expires"][0], query["signature"][0]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]

    tampered = await objects_client.get(f"/_objects/users/1/a.txt?expires={expires}&signature={flipped}")
    other_key = await objects_client.get(f"/_objects/users/2/a.txt?expires={expires}&signature={signature}")
    longer = await objects_client.get(f"/_objects/users/1/a.txt?expires={int(expires) + 3600}&signature={signature}")
    unsigned = await objects_client.get("/_objects/users/1/a.txt")
    expired = await objects_client.get(await local_store.presigned_url("users/1/a.txt", expires_seconds=-5))

    for response in (tampered, other_key, longer, unsigned, expired):
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert b"someone else" not in response.content


async def test_local_signed_url_for_a_missing_object_is_404(
    local_store: LocalObjectStore, objects_client: httpx.AsyncClient,
) -> None:
    response = await objects_client.get(await local_store.presigned_url("users/1/gone.png"))
    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.parametrize("key", ["../outside.txt", "users/../../outside.txt", "/etc/passwd", "a\\..\\b",
                                 "", "users//x", ".meta/users/1"])
async def test_local_store_rejects_keys_that_escape_its_root(local_store: LocalObjectStore, key: str) -> None:
    with pytest.raises(ValueError):
        await local_store.put(key, b"x", "text/plain")
    with pytest.raises(ValueError):
        await local_store.get(key)
    assert not (local_store.root.parent / "outside.txt").exists()


async def test_local_router_refuses_traversal_in_the_url(
    local_store: LocalObjectStore, objects_client: httpx.AsyncClient, tmp_path: Path,
) -> None:
    (tmp_path / "secret.txt").write_text("top secret")
    key = "../secret.txt"
    expires = 4_000_000_000
    signature = local_store.sign(key, expires)  # even a validly signed traversal must not get out

    response = await objects_client.get(f"/_objects/..%2Fsecret.txt?expires={expires}&signature={signature}")

    assert response.status_code in (403, 404)
    assert b"top secret" not in response.content


async def test_local_delete_prefix_removes_only_that_prefix(local_store: LocalObjectStore) -> None:
    await fill(local_store, PREFIX_KEYS)

    await assert_delete_prefix_removes_only_that_prefix(local_store)
    # Erasure leaves no folder named after the user behind.
    assert not (local_store.root / "users" / "1").exists()
    # S3 semantics: a prefix is a string prefix, not a folder.
    assert await local_store.delete_prefix("users/1") == 1
    assert await local_store.get("users/2/avatar.png") == b"users/2/avatar.png"


async def test_delete_prefix_refuses_an_empty_prefix(local_store: LocalObjectStore) -> None:
    await fill(local_store, ["a.txt"])
    with pytest.raises(ValueError):
        await local_store.delete_prefix("")
    assert await local_store.get("a.txt") == b"a.txt"


async def test_local_store_from_settings_is_relative_to_the_working_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    store = create_object_store(CommonSettings(object_store_url="file://.data/objects"), "http://localhost:9000")
    assert isinstance(store, LocalObjectStore)
    assert isinstance(store, ObjectStore)
    await store.ensure_bucket()
    assert await store.ping() is True

    await store.put("k.txt", b"v", "text/plain")

    assert (tmp_path / ".data" / "objects" / "k.txt").read_bytes() == b"v"
    assert (await store.presigned_url("k.txt")).startswith("http://localhost:9000/_objects/k.txt?")


def test_unknown_object_store_url_is_refused() -> None:
    with pytest.raises(ValueError, match="OBJECT_STORE_URL"):
        create_object_store(CommonSettings(object_store_url="ftp://example.com/objects"))
