"""Per-endpoint throughput and latency of auth and core on the real stack, measured with wrk.

Starts its own stack (a fresh PostgreSQL database migrated by auth's and core's Alembic scripts, core
connecting as a non-owner role so row-level security applies, moto_server for S3, auth and core each
one uvicorn process with production settings) on the machine's PostgreSQL and RabbitMQ and the Redis
given, seeds one user (a profile, a weighing, 30 workouts), then runs wrk against each endpoint with 16
connections and the workout create with one too, and prints a markdown table (and JSON with --json).
Besides, the rest of the stack bench's mix (deploy/bench/stack/locustfile.py) as it sends it: the summary
of today (no date: cached after its first miss) and of a new past day each request (the cache missed, as
after a write), food search, food log, habit check-in, weighing and journal entry.

    python deploy/bench/wrk_endpoints.py --redis-url redis://127.0.0.1:6405/0 --port-base 9500

Needs `wrk` (Debian's package). Everything it started is stopped and its database dropped on exit;
`--keep` leaves the stack running for a profiler (py-spy) until Enter is pressed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "libs" / "common"))

from fitjourney_common.testing.postgres import create_app_role, migrate, temporary_database  # noqa: E402
from fitjourney_common.testing.rabbitmq import delete_broker_objects  # noqa: E402

PASSWORD = "Correct-horse-42"  # noqa: S105 - a throwaway account of the throwaway database


def _json_lua(method: str, body: str) -> str:
    """A wrk script sending `body` as JSON with `method` (`%(name)s` placeholders filled by the caller)."""
    return f"""
wrk.method = "{method}"
wrk.headers["content-type"] = "application/json"
wrk.body = '{body}'
"""


WORKOUT_LUA = _json_lua(
    "POST", '{"activity":"running","started_at":"2026-11-25T06:00:00Z","duration_min":30,"distance_km":5}')
# A past day no request asked for before (each wrk thread walks its own stretch of 2000-2019), so the
# summary cache misses as it does after a write.
NEW_DAY_LUA = """
local threads, days = 0, 0
function setup(thread) thread:set("first", threads * 3650); threads = threads + 1 end
function init(args) days = first end
function request()
  days = days + 1
  local day = os.date("!%Y-%m-%d", 946684800 + days * 86400)
  return wrk.format("GET", "/api/v1/summary/daily?date=" .. day)
end
"""
FOOD_LOG_LUA = _json_lua(
    "POST", '{"food_id":"%(food_id)s","grams":150,"meal":"lunch","eaten_at":"%(yesterday)sT12:00:00Z"}')
CHECK_IN_LUA = _json_lua("POST", '{"date":"%(yesterday)s","count":1}')
BODY_METRIC_LUA = _json_lua("POST", '{"measured_at":"%(yesterday)sT07:00:00Z","weight_kg":66.4}')
JOURNAL_LUA = _json_lua(
    "PUT", '{"mood":4,"energy":3,"text":"Felt good after the walk; slept a bit late.","tags":["walking"]}')


def _endpoints(core: str, seeded: dict[str, str]) -> list[tuple[str, str, str | None, int]]:
    """(label, url, lua script or None, connections); `seeded`: the food, habit and day the writes name."""
    api = f"{core}/api/v1"
    return [
        ("GET /healthz", f"{core}/healthz", None, 16),
        ("GET /api/v1/activities", f"{api}/activities", None, 16),
        ("GET /api/v1/summary/daily", f"{api}/summary/daily?date=2026-11-25", None, 16),
        ("GET /api/v1/summary/daily, today", f"{api}/summary/daily", None, 16),
        ("GET /api/v1/summary/daily, a new day each", f"{api}/summary/daily", NEW_DAY_LUA, 16),
        ("GET /api/v1/workouts?limit=10", f"{api}/workouts?limit=10", None, 16),
        ("GET /api/v1/profile", f"{api}/profile", None, 16),
        ("GET /api/v1/foods?q=chicken&limit=10", f"{api}/foods?q=chicken&limit=10", None, 16),
        ("POST /api/v1/workouts", f"{api}/workouts", WORKOUT_LUA, 16),
        ("POST /api/v1/workouts, 1 connection", f"{api}/workouts", WORKOUT_LUA, 1),
        ("POST /api/v1/food-logs", f"{api}/food-logs", FOOD_LOG_LUA % seeded, 16),
        ("POST /api/v1/habits/{id}/check-ins", f"{api}/habits/{seeded['habit_id']}/check-ins",
         CHECK_IN_LUA % seeded, 16),
        ("POST /api/v1/body-metrics", f"{api}/body-metrics", BODY_METRIC_LUA % seeded, 16),
        ("PUT /api/v1/journal/{date}", f"{api}/journal/{seeded['yesterday']}", JOURNAL_LUA, 16),
    ]


def _wait_ready(url: str, deadline_seconds: float = 60.0) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        with suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {deadline_seconds} s")


@contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603 - our own tools
                                start_new_session=True)
    try:
        yield proc
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> dict[str, float]:
    """req/s, p50 and p99 (ms) and the count of non-2xx answers from wrk's --latency report."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latencies = {f"p{m.group(1)}_ms": float(m.group(2)) * _UNIT[m.group(3)] for m in _LATENCY.finditer(output)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return {"rps": rps, **latencies, "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": 1 if errors else 0}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, token: str, lua: str | None, connections: int, seconds: int, server_pid: int,
            ) -> dict[str, float]:
    """wrk's figures plus the server's CPU time per request, which other jobs on a shared machine
    disturb far less than throughput."""
    args = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency",
            "-H", f"authorization: Bearer {token}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua or "")
    try:
        if lua:
            args += ["-s", script.name]
        cpu_before = cpu_seconds(server_pid)
        output = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout  # noqa: S603
        cpu = cpu_seconds(server_pid) - cpu_before
    finally:
        os.unlink(script.name)
    result = parse_wrk(output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return {**result, "cpu_ms_per_request": 1000 * cpu / max(1, requests)}


def _seed(auth: str, core: str, auth_env: dict[str, str]) -> tuple[str, dict[str, str]]:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    # Made as an operator makes an account (a sign-up would wait for its mailed link, which the sink drops).
    subprocess.run([str(BIN / "fitjourney-auth"), "create-user", "--email", email, "--display-name", "Bench"],  # noqa: S603
                   input=f"{PASSWORD}\n", text=True, env=auth_env, check=True, capture_output=True)
    with httpx.Client(timeout=30.0) as client:
        tokens = client.post(f"{auth}/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        tokens.raise_for_status()
        token = tokens.json()["access_token"]
        headers = {"authorization": f"Bearer {token}"}
        client.put(f"{core}/api/v1/profile", headers=headers, json={
            "birth_date": "1990-04-01", "sex": "female", "height_cm": 168, "activity_level": "moderate",
            "goal": "lose", "target_weight_kg": 60, "weekly_rate_kg": 0.5, "time_zone": "Europe/Berlin",
        }).raise_for_status()
        client.post(f"{core}/api/v1/body-metrics", headers=headers,
                    json={"measured_at": "2026-11-25T07:00:00Z", "weight_kg": 66.5}).raise_for_status()
        for day in range(1, 31):
            client.post(f"{core}/api/v1/workouts", headers=headers, json={
                "activity": "running", "started_at": f"2026-11-{day:02d}T06:00:00Z", "duration_min": 30,
                "distance_km": 5}).raise_for_status()
        habit = client.post(f"{core}/api/v1/habits", headers=headers, json={"name": "Stretch"})
        habit.raise_for_status()
        foods = client.get(f"{core}/api/v1/foods", headers=headers, params={"q": "chicken", "limit": 10})
        foods.raise_for_status()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    return token, {"habit_id": habit.json()["id"], "food_id": foods.json()["items"][0]["id"], "yesterday": yesterday}


async def _prepare_database(url: str) -> tuple[str, str]:
    """Migrated as the owner; auth and core connect as non-owner roles (production refuses an owner)."""
    for service in ("auth", "core"):
        await migrate(ROOT / "services" / service, url)
    return await create_app_role(url, "fj_bench_auth", "auth"), await create_app_role(url, "fj_bench_core", "core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--broker-url", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--port-base", type=int, default=9500)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--only", action="append", help="run only endpoints whose label contains this (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the stack up until Enter (for py-spy)")
    parser.add_argument("--env", action="append", default=[], help="NAME=value for both services")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    asyncio.run(_run(options))


async def _run(options: argparse.Namespace) -> None:
    auth_port, core_port, s3_port = options.port_base + 1, options.port_base + 2, options.port_base + 10
    async with temporary_database("fj_bench_wrk") as owner_url:
        auth_url, core_url = await _prepare_database(owner_url)
        work = Path(tempfile.mkdtemp(prefix="fj-wrk-"))
        keys = work / "keys"
        exchange, queue_prefix = f"fj.bench.{uuid.uuid4().hex[:8]}", f"bench{uuid.uuid4().hex[:8]}."
        common = {
            **os.environ, "ENVIRONMENT": "production", "LOG_LEVEL": "WARNING",
            "REDIS_URL": options.redis_url, "BROKER_URL": options.broker_url,
            "EVENTS_EXCHANGE": exchange, "EVENTS_QUEUE_PREFIX": queue_prefix,
            "OBJECT_STORE_URL": "s3://fj-bench", "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
            "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
            "RATE_LIMIT_API": "1000000/minute", "KEY_DIR": str(keys),
            "JWKS_URL": f"http://127.0.0.1:{auth_port}/api/v1/auth/.well-known/jwks.json",
            "JOURNAL_ENCRYPTION_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "SMTP_URL": f"smtp+plain://127.0.0.1:{options.port_base + 25}",
            **dict(item.split("=", 1) for item in options.env),
        }
        await asyncio.to_thread(subprocess.run, [str(BIN / "fitjourney-auth"), "init-keys"],
                                env={**common, "DATABASE_URL": owner_url}, check=True, capture_output=True)
        uvicorn = [str(BIN / "uvicorn"), "--factory", "--no-server-header", "--no-access-log", "--host", "127.0.0.1"]
        with (
            _process([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)], common, work / "moto.log"),
            _process([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{options.port_base + 25}", "-c",
                      "aiosmtpd.handlers.Sink"], common, work / "smtp.log"),
            _process([*uvicorn, "fitjourney_auth.main:create_app", "--port", str(auth_port)],
                     {**common, "DATABASE_URL": auth_url}, work / "auth.log") as auth_proc,
            _process([*uvicorn, "fitjourney_core.main:create_app", "--port", str(core_port)],
                     {**common, "DATABASE_URL": core_url}, work / "core.log") as core_proc,
        ):
            auth, core = f"http://127.0.0.1:{auth_port}", f"http://127.0.0.1:{core_port}"
            _wait_ready(f"{auth}/readyz")
            _wait_ready(f"{core}/readyz")
            token, seeded = _seed(auth, core, {**common, "DATABASE_URL": owner_url})
            if options.keep:
                print(f"auth pid {auth_proc.pid}, core pid {core_proc.pid}; token:\n{token}\nEnter stops")
                await asyncio.to_thread(sys.stdin.readline)
            results = {}
            for label, url, lua, connections in _endpoints(core, seeded):
                if options.only and not any(part in label for part in options.only):
                    continue
                results[label] = run_wrk(url, token, lua, connections, options.seconds, core_proc.pid)
                print(f"{label}: {results[label]}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        await delete_broker_objects([], [exchange, f"{exchange}.dlx"], options.broker_url, prefix=queue_prefix)
    print("| request | req/s | p50 | p99 | core CPU per request | non-2xx |\n|---|---|---|---|---|---|")
    for label, r in results.items():
        print(f"| `{label}` | {r['rps']:,.0f} | {r.get('p50_ms', 0):.1f} ms | {r.get('p99_ms', 0):.1f} ms "
              f"| {r['cpu_ms_per_request']:.2f} ms | {r['non_2xx']} |")
    if options.json:
        options.json.write_text(json.dumps({"seconds": options.seconds, "results": results}, indent=2))


if __name__ == "__main__":
    main()
