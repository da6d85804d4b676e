"""Object storage chosen by URL: S3 (or any S3-compatible endpoint) or a local folder with signed URLs."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote

# boto3 itself (and botocore's Config) is imported by the S3 store that uses it: 10 MiB resident in a process
# that never talks to S3 (ai's API). Its exceptions module is small.
from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import FileResponse, Response

from fitjourney_common.errors import NotFound, problem_response
from fitjourney_common.settings import CommonSettings

OBJECTS_ROUTE_PREFIX = "/_objects"
_META_DIR = ".meta"  # content types of the local store live here, out of the key space
_S3_DELETE_BATCH = 1000  # the most DeleteObjects accepts per call
_NOT_FOUND_CODES = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


@runtime_checkable
class ObjectStore(Protocol):
    """What the services need from object storage; keys are relative, '/'-separated paths."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes:
        """Raises errors.NotFound when there is no such object."""
        ...

    async def delete(self, key: str) -> None:
        """Deleting a missing object is not an error."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose key starts with `prefix`; returns how many were deleted."""
        ...

    async def presigned_url(self, key: str, expires_seconds: int = 300) -> str: ...

    async def ping(self) -> bool: ...

    async def ensure_bucket(self) -> None:
        """Create the bucket (or folder) when missing; run once at start-up."""
        ...


def validate_key(key: str, *, prefix: bool = False) -> str:
    """Refuse keys that could escape the store's root or mean different things on disk and in S3."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise ValueError(f"invalid object key {key!r}")
    segments = key.split("/")
    if prefix:  # "users/42/" is a fine prefix, though not a fine key
        segments = segments[:-1] if segments[-1] == "" else segments
    if any(segment in ("..", ".") for segment in segments):
        raise ValueError(f"invalid object key {key!r}: path traversal")
    if "" in segments:
        raise ValueError(f"invalid object key {key!r}: empty path segment")
    if segments[0] == _META_DIR:
        raise ValueError(f"invalid object key {key!r}: {_META_DIR}/ is reserved")
    return key


def _validate_prefix(prefix: str) -> str:
    # An empty prefix would wipe the whole store: erasing "everything" is never what a caller means.
    if not prefix:
        raise ValueError("delete_prefix needs a non-empty prefix")
    return validate_key(prefix, prefix=True)


class S3ObjectStore:
    """S3 via boto3; boto3 blocks, so every call runs in a worker thread."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 region: str = "us-east-1") -> None:
        import boto3  # see the note on the imports
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.region = region
        self.delete_batch_size = _S3_DELETE_BATCH
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(
                signature_version="s3v4",
                # Path style works with any S3-compatible endpoint (moto, MinIO) and dotted bucket names.
                s3={"addressing_style": "path"},
                connect_timeout=3,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def _full(self, key: str) -> str:
        return self.prefix + validate_key(key)

    async def ensure_bucket(self) -> None:
        def ensure() -> None:
            try:
                self.client.head_bucket(Bucket=self.bucket)
                return
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code")) not in _NOT_FOUND_CODES:
                    raise
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if self.region != "us-east-1":  # us-east-1 refuses an explicit location constraint
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            try:
                self.client.create_bucket(**kwargs)
            except ClientError as exc:
                # Another replica created it between our two calls.
                if exc.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou",):
                    raise

        await asyncio.to_thread(ensure)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        full = self._full(key)
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=full, Body=data, ContentType=content_type)

    async def get(self, key: str) -> bytes:
        full = self._full(key)

        def read() -> bytes:
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=full)
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND_CODES:
                    raise NotFound(f"object {key!r} not found") from exc
                raise
            body = response["Body"]
            try:
                return bytes(body.read())
            finally:
                body.close()

        return await asyncio.to_thread(read)

    async def delete(self, key: str) -> None:
        full = self._full(key)
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=full)

    async def delete_prefix(self, prefix: str) -> int:
        full_prefix = self.prefix + _validate_prefix(prefix)

        def delete_all() -> int:
            deleted = 0
            batch = self.delete_batch_size
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix,
                                           PaginationConfig={"PageSize": batch}):
                keys = [item["Key"] for item in page.get("Contents", [])]
                for start in range(0, len(keys), batch):
                    objects = [{"Key": key} for key in keys[start:start + batch]]
                    response = self.client.delete_objects(
                        Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})
                    errors = response.get("Errors", [])
                    if errors:
                        raise RuntimeError(f"S3 refused to delete {len(errors)} objects, first: {errors[0]}")
                    deleted += len(objects)
            return deleted

        return await asyncio.to_thread(delete_all)

    async def presigned_url(self, key: str, expires_seconds: int = 300) -> str:
        full = self._full(key)
        url: str = await asyncio.to_thread(
            self.client.generate_presigned_url, "get_object",
            Params={"Bucket": self.bucket, "Key": full}, ExpiresIn=int(expires_seconds))
        return url

    async def ping(self) -> bool:
        try:
            await asyncio.to_thread(self.client.head_bucket, Bucket=self.bucket)
        except (ClientError, BotoCoreError):
            return False
        return True


class LocalObjectStore:
    """Files under `root`, served through HMAC-signed expiring URLs like S3's presigned ones (dev mode)."""

    def __init__(self, root: Path, public_base_url: str, secret: str) -> None:
        self.root = Path(root).resolve()
        self.public_base_url = public_base_url.rstrip("/")
        self._secret = secret.encode()

    def path_for(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        # Defence in depth against symlinks or anything validate_key did not foresee.
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"invalid object key {key!r}: outside the store")
        return path

    def _meta_path(self, key: str) -> Path:
        return self.root / _META_DIR / validate_key(key)

    def content_type(self, key: str) -> str:
        try:
            return self._meta_path(key).read_text().strip() or "application/octet-stream"
        except FileNotFoundError:
            return "application/octet-stream"

    async def ensure_bucket(self) -> None:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path, meta = self.path_for(key), self._meta_path(key)

        def write() -> None:
            _atomic_write(meta, content_type.encode())
            _atomic_write(path, data)

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        path = self.path_for(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound(f"object {key!r} not found") from exc

    async def delete(self, key: str) -> None:
        path, meta = self.path_for(key), self._meta_path(key)

        def remove() -> None:
            # A folder is not an object ("users/1" when only "users/1/a.png" exists): nothing to delete.
            if not path.is_dir():
                path.unlink(missing_ok=True)
            if not meta.is_dir():
                meta.unlink(missing_ok=True)

        await asyncio.to_thread(remove)

    async def delete_prefix(self, prefix: str) -> int:
        _validate_prefix(prefix)

        def delete_all() -> int:
            # S3 semantics: a string prefix, not a folder ("users/1" also matches "users/12/a").
            # Walk only the deepest folder the prefix fully names.
            start = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
            if not start.is_dir():
                return 0
            deleted = 0
            for path in sorted(start.rglob("*")):
                if not path.is_file():
                    continue
                key = path.relative_to(self.root).as_posix()
                if key.startswith(_META_DIR + "/") or not key.startswith(prefix):
                    continue
                path.unlink(missing_ok=True)
                self._meta_path(key).unlink(missing_ok=True)
                deleted += 1
            # Empty folders named after a user would outlive the user's erasure.
            for base in (start, self.root / _META_DIR / start.relative_to(self.root)):
                _prune_empty_dirs(base, stop=self.root)
            return deleted

        return await asyncio.to_thread(delete_all)

    def sign(self, key: str, expires: int) -> str:
        return hmac.new(self._secret, f"{key}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def verify_signature(self, key: str, expires: int, signature: str) -> bool:
        """True for an unexpired URL this store signed for exactly this key."""
        if expires < time.time():
            return False
        return hmac.compare_digest(self.sign(key, expires), signature)

    async def presigned_url(self, key: str, expires_seconds: int = 300) -> str:
        validate_key(key)
        expires = int(time.time()) + int(expires_seconds)
        signature = self.sign(key, expires)
        return (f"{self.public_base_url}{OBJECTS_ROUTE_PREFIX}/{quote(key, safe='/')}"
                f"?expires={expires}&signature={signature}")

    async def ping(self) -> bool:
        return await asyncio.to_thread(lambda: self.root.is_dir() and os.access(self.root, os.W_OK))


def _prune_empty_dirs(base: Path, stop: Path) -> None:
    if not base.is_dir():
        return
    folders = [p for p in base.rglob("*") if p.is_dir()]
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if base != stop and base.is_dir() and not any(base.iterdir()):
        base.rmdir()


def _atomic_write(path: Path, data: bytes) -> None:
    # Readers never see half a file: write beside it, then rename over it.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def local_objects_router(store: LocalObjectStore) -> APIRouter:
    """GET /_objects/{key} for the local store's signed URLs (what S3 itself serves in the real stack)."""
    router = APIRouter(include_in_schema=False)

    @router.get(OBJECTS_ROUTE_PREFIX + "/{key:path}")
    async def get_object(key: str, expires: int = Query(0), signature: str = Query("")) -> Response:
        instance = f"{OBJECTS_ROUTE_PREFIX}/{key}"
        try:
            path = store.path_for(key)
        except ValueError:
            return problem_response(403, "forbidden", "Not allowed", "Invalid object URL", instance)
        if not store.verify_signature(key, expires, signature):
            return problem_response(403, "forbidden", "Not allowed", "The link is invalid or has expired",
                                    instance)
        if not path.is_file():
            return problem_response(404, "not-found", "Not found", "No such object", instance)
        return FileResponse(path, media_type=store.content_type(key),
                            headers={"Cache-Control": "private, max-age=60",
                                     "X-Content-Type-Options": "nosniff"})

    return router


def serve_local_objects(app: FastAPI, settings: CommonSettings) -> None:
    """Embedded dev: the local store's signed URLs are served by the app itself (S3 serves its own)."""
    if settings.object_store_url.startswith("file://"):
        store = create_object_store(settings)
        assert isinstance(store, LocalObjectStore)
        app.include_router(local_objects_router(store))


def create_object_store(
    settings: CommonSettings, public_base_url: str = "http://127.0.0.1:8000",
) -> ObjectStore:
    """`s3://bucket[/prefix]` (endpoint from S3_ENDPOINT_URL) or `file://path` (relative to the cwd)."""
    url = settings.object_store_url
    if url.startswith("s3://"):
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError(f"OBJECT_STORE_URL {url!r} names no bucket (expected s3://bucket[/prefix])")
        return S3ObjectStore(bucket, prefix, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region)
    if url.startswith("file://"):
        # Not urlparse: it would read "file://.data/objects" as host ".data".
        raw = url.removeprefix("file://")
        if not raw:
            raise ValueError(f"OBJECT_STORE_URL {url!r} names no folder (expected file://path)")
        root = Path(raw)
        if not root.is_absolute():
            root = Path.cwd() / root
        return LocalObjectStore(root, public_base_url, settings.object_url_secret)
    raise ValueError(f"OBJECT_STORE_URL must start with s3:// or file:// (got {url!r})")
