"""What the backup and restore scripts share: where dumps live in the object store, and how they are named."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3

# Microseconds too, so two runs within one second never overwrite each other.
STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class Location:
    """s3://bucket/prefix/ from BACKUP_URL; every dump of database D is <prefix><D>/<UTC stamp>.dump."""

    bucket: str
    prefix: str

    @classmethod
    def from_url(cls, url: str) -> Location:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise SystemExit(f"BACKUP_URL must look like s3://bucket/prefix/, not {url!r}")
        prefix = parsed.path.lstrip("/")
        return cls(parsed.netloc, prefix if not prefix or prefix.endswith("/") else prefix + "/")

    def folder(self, database: str) -> str:
        return f"{self.prefix}{database}/"

    def key_for(self, database: str, when: datetime) -> str:
        return f"{self.folder(database)}{when.astimezone(UTC).strftime(STAMP_FORMAT)}.dump"


def s3_client() -> Any:
    """boto3 client from the environment: IRSA or the default chain, S3_ENDPOINT_URL for another S3 store."""
    return boto3.client("s3", endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
                        region_name=os.environ.get("S3_REGION") or os.environ.get("AWS_REGION") or "us-east-1")


def list_dumps(client: Any, location: Location, database: str) -> list[dict[str, Any]]:
    """Every dump of `database`, oldest first."""
    found: list[dict[str, Any]] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=location.bucket,
                                                                  Prefix=location.folder(database)):
        found += [o for o in page.get("Contents", []) if o["Key"].endswith(".dump")]
    return sorted(found, key=lambda o: o["Key"])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
