"""deploy/backup/: a database filled by the services' migrations and data is dumped to S3 (moto_server), dropped,
restored, and every table comes back with the same rows; old dumps expire; a corrupted dump is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import boto3
import pytest
from sqlalchemy.engine import make_url

from fitjourney_common.testing.postgres import migrate, temporary_database

ROOT = Path(__file__).resolve().parents[2]
BACKUP_DIR = ROOT / "deploy" / "backup"
BUCKET = "fitjourney-backups"
PREFIX = "backups/postgres/"
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")

sys.path.insert(0, str(BACKUP_DIR))
import backuplib  # noqa: E402
import pg_backup  # noqa: E402

pytestmark = pytest.mark.skipif(subprocess.run(["which", "pg_dump"], capture_output=True).returncode != 0,
                                reason="pg_dump is not installed (apt-get install postgresql-client)")


def libpq_env(url: str, s3_endpoint: str) -> dict[str, str]:
    parsed = make_url(url)
    return {**os.environ, "PGHOST": parsed.host or "127.0.0.1", "PGPORT": str(parsed.port or 5432),
            "PGUSER": parsed.username or "postgres", "PGDATABASE": parsed.database or "",
            **({"PGPASSWORD": parsed.password} if parsed.password else {}),
            "BACKUP_URL": f"s3://{BUCKET}/{PREFIX}", "S3_ENDPOINT_URL": s3_endpoint,
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "S3_REGION": "us-east-1"}


def run(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BACKUP_DIR / script), *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)


async def fill(url: str) -> None:
    """The services' real schemas (with RLS, partitions, the food catalogue) plus rows of every awkward type."""
    for service in ("auth", "core"):
        await migrate(ROOT / "services" / service, url)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("""
            CREATE SCHEMA backup_check;
            CREATE TABLE backup_check.samples (
                id bigint PRIMARY KEY, note text, doc jsonb, blob bytea, at timestamptz, amount numeric(12,3),
                tags text[]);
            ALTER TABLE backup_check.samples ENABLE ROW LEVEL SECURITY;
            ALTER TABLE backup_check.samples FORCE ROW LEVEL SECURITY;
            INSERT INTO backup_check.samples
            SELECT i, 'row ' || i || E' \\u00e9\\u4e2d ''quoted'' \\t',
                   jsonb_build_object('i', i, 'nested', jsonb_build_array(i, null)),
                   decode(md5(i::text), 'hex'), '2026-01-01T00:00:00Z'::timestamptz + i * interval '37 minutes',
                   i * 1.125, ARRAY['a' || i, NULL]
            FROM generate_series(1, 5000) AS i;
            CREATE SEQUENCE backup_check.counter START 41;
            SELECT nextval('backup_check.counter');
        """)
    finally:
        await conn.close()


async def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table (partitions included)."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tables = await conn.fetch(
            "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where c.relkind in ('r', 'p') and n.nspname <> all($1::text[]) order by 1, 2", list(SYSTEM_SCHEMAS))
        result = {}
        for schema, table in tables:
            row = await conn.fetchrow(
                f'select count(*) as n, coalesce(md5(string_agg(md5(t::text), \'\' order by md5(t::text))), \'\') '
                f'as sum from only "{schema}"."{table}" t')
            result[f"{schema}.{table}"] = (row["n"], row["sum"])
        result["backup_check.counter"] = (await conn.fetchval("select last_value from backup_check.counter"), "")
        return result
    finally:
        await conn.close()


async def drop(url: str) -> None:
    name = make_url(url).database
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0] + "/postgres")
    try:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET)
    yield BUCKET
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


async def test_backup_drop_restore_gives_back_every_row(s3_endpoint: str, bucket: str) -> None:
    async with temporary_database("fj_backup_test") as url:
        await fill(url)
        before = await snapshot(url)
        assert before["backup_check.samples"][0] == 5000 and before["core.food_catalogue"][0] > 0
        assert sum(count for count, _ in before.values()) > 5000

        env = libpq_env(url, s3_endpoint)
        backed_up = run("pg_backup.py", env)
        assert backed_up.returncode == 0, backed_up.stderr
        report = json.loads(backed_up.stdout)
        assert report["backup"].startswith(f"s3://{BUCKET}/{PREFIX}{make_url(url).database}/")

        await drop(url)
        restored = run("pg_restore.py", env, "--database", make_url(url).database)
        assert restored.returncode == 0, restored.stderr
        assert json.loads(restored.stdout)["restored"] == report["backup"]
        assert await snapshot(url) == before


async def test_old_dumps_expire_but_the_newest_is_always_kept(s3_endpoint: str, bucket: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    async with temporary_database("fj_backup_test") as url:
        env = libpq_env(url, s3_endpoint)
        assert run("pg_backup.py", env).returncode == 0
        database = make_url(url).database
        for name in ("S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.setenv(name, env[name])
        location = backuplib.Location.from_url(env["BACKUP_URL"])
        client = backuplib.s3_client()
        older = location.key_for(database, datetime(2026, 1, 1, 3, 0, tzinfo=UTC))
        client.put_object(Bucket=BUCKET, Key=older, Body=b"an older dump")
        dumps = backuplib.list_dumps(client, location, database)
        assert len(dumps) == 2 and dumps[0]["Key"] == older

        assert pg_backup.prune(location, database, 30, datetime.now(UTC)) == []
        assert pg_backup.prune(location, database, 30, datetime.now(UTC) + timedelta(days=31)) == [older]
        assert [o["Key"] for o in backuplib.list_dumps(client, location, database)] == [dumps[-1]["Key"]]


async def test_a_corrupted_dump_is_refused_before_anything_is_restored(s3_endpoint: str, bucket: str) -> None:
    async with temporary_database("fj_backup_test") as url:
        env = libpq_env(url, s3_endpoint)
        assert run("pg_backup.py", env).returncode == 0
        client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
        key = client.list_objects_v2(Bucket=BUCKET)["Contents"][0]["Key"]
        sha = client.head_object(Bucket=BUCKET, Key=key)["Metadata"]["sha256"]
        client.put_object(Bucket=BUCKET, Key=key, Body=b"not a dump", Metadata={"sha256": sha})
        target = f"{make_url(url).database}_copy"
        refused = run("pg_restore.py", env, "--database", target, "--from-database", make_url(url).database)
        assert refused.returncode == 2 and "checksum mismatch" in refused.stderr
        admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            assert await admin.fetchval("select 1 from pg_database where datname = $1", target) is None
        finally:
            await admin.close()
