"""Restore a PostgreSQL backup made by pg_backup.py: the newest dump (or --key) into a database.

    python deploy/backup/pg_restore.py --database fitjourney                    # newest dump of fitjourney
    python deploy/backup/pg_restore.py --database fitjourney_check --from-database fitjourney --key <key>

Connection from libpq's variables (PGHOST, PGUSER, PGPASSWORD, ...); BACKUP_URL=s3://bucket/prefix/. The target
database must not exist (it is created) unless --clean is given, which drops and recreates the dump's objects.
The dump's sha256 (stored with it) is checked before anything is restored.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from backuplib import Location, list_dumps, s3_client, sha256_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="the database to restore into")
    parser.add_argument("--from-database", help="whose dumps to look at (default: --database)")
    parser.add_argument("--key", help="a dump's object key (default: the newest)")
    parser.add_argument("--url", default=os.environ.get("BACKUP_URL"))
    parser.add_argument("--clean", action="store_true", help="restore over an existing database")
    parser.add_argument("--no-owner", action="store_true", help="do not restore object ownership (other cluster)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("set BACKUP_URL (s3://bucket/prefix/) or --url")
    location = Location.from_url(args.url)
    client = s3_client()
    key = args.key
    if key is None:
        dumps = list_dumps(client, location, args.from_database or args.database)
        if not dumps:
            print(f"no dump under s3://{location.bucket}/{location.folder(args.from_database or args.database)}",
                  file=sys.stderr)
            return 1
        key = dumps[-1]["Key"]
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "restore.dump"
        client.download_file(location.bucket, key, str(path))
        expected = client.head_object(Bucket=location.bucket, Key=key).get("Metadata", {}).get("sha256")
        if expected and sha256_of(path) != expected:
            print(f"{key}: checksum mismatch, nothing restored", file=sys.stderr)
            return 2
        if not args.clean:
            subprocess.run(["createdb", "--no-password", args.database], check=True)  # noqa: S603, S607 - no shell
        command = ["pg_restore", "--no-password", "--exit-on-error", f"--dbname={args.database}"]
        # One transaction (all or nothing) unless parallel jobs are asked for, which cannot share one.
        command += ["--single-transaction"] if args.jobs <= 1 else [f"--jobs={args.jobs}"]
        if args.clean:
            command += ["--clean", "--if-exists"]
        if args.no_owner:
            command += ["--no-owner", "--no-privileges"]
        subprocess.run([*command, str(path)], check=True)  # noqa: S603 - an argument list, no shell
    print(json.dumps({"restored": f"s3://{location.bucket}/{key}", "database": args.database}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
