"""Daily PostgreSQL backup (the Helm CronJob runs it): pg_dump to the object store, then old dumps deleted.

Connection from libpq's variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE); destination
BACKUP_URL=s3://bucket/prefix/; BACKUP_RETENTION_DAYS (30) old dumps are deleted, never the newest one;
BACKUP_KMS_KEY_ID encrypts with that KMS key (else the bucket's default encryption applies).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backuplib import Location, list_dumps, s3_client, sha256_of


def dump(database: str, target: Path) -> None:
    # Custom format: compressed, and pg_restore can restore it selectively and in parallel.
    subprocess.run(["pg_dump", "--format=custom", "--compress=6", "--no-password",  # noqa: S603, S607 - no shell
                    f"--dbname={database}", f"--file={target}"], check=True)


def upload(path: Path, location: Location, key: str) -> str:
    checksum = sha256_of(path)
    extra: dict[str, object] = {"Metadata": {"sha256": checksum}}
    if kms_key := os.environ.get("BACKUP_KMS_KEY_ID"):
        extra.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key)
    s3_client().upload_file(str(path), location.bucket, key, ExtraArgs=extra)
    return checksum


def prune(location: Location, database: str, retention_days: int, now: datetime) -> list[str]:
    """Delete dumps older than the retention, always keeping the newest one."""
    client = s3_client()
    dumps = list_dumps(client, location, database)
    cutoff = now - timedelta(days=retention_days)
    expired = [o["Key"] for o in dumps[:-1] if o["LastModified"] < cutoff]
    for start in range(0, len(expired), 1000):
        client.delete_objects(Bucket=location.bucket,
                              Delete={"Objects": [{"Key": k} for k in expired[start:start + 1000]], "Quiet": True})
    return expired


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("PGDATABASE", "fitjourney"))
    parser.add_argument("--url", default=os.environ.get("BACKUP_URL"))
    parser.add_argument("--retention-days", type=int, default=int(os.environ.get("BACKUP_RETENTION_DAYS", "30")))
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("set BACKUP_URL (s3://bucket/prefix/) or --url")
    location = Location.from_url(args.url)
    now = datetime.now(UTC)
    key = location.key_for(args.database, now)
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "backup.dump"
        dump(args.database, target)
        size = target.stat().st_size
        checksum = upload(target, location, key)
    expired = prune(location, args.database, args.retention_days, now)
    print(json.dumps({"backup": f"s3://{location.bucket}/{key}", "bytes": size, "sha256": checksum,
                      "deleted": expired}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
