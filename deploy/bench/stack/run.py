"""The stack benchmark: real processes, a seeded data set, the app's mixed workload stepped up with Locust
until it breaks, and the results in new files under deploy/bench/results/.

    python deploy/bench/stack/run.py            # make bench: 1,000 people x 90 days, rates stepped up
    python deploy/bench/stack/run.py --quick    # make bench-quick: 100 people, one fixed rate, < 3 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import asyncpg
import httpx
from benchlib import cpu_model
from monitor import STATEMENTS_SQL, ProcessMonitor, listening_pid, statement_summary
from probes import LoginStorm, PipelineProbe, sign_in
from processes import BIN, ROOT, Ports, Stack, api_workers
from report import assemble, markdown, pipeline_summary, stage_results, write
from stages import Stage, percentile, plan

PASSWORD = "Bench-people-2026!"  # noqa: S105 - the made-up accounts of a throwaway database
# Shared with other people's jobs on a shared machine: its CPU is the stack's plus theirs.
# Finer steps from 50 up, where the stack's limits lie, and the target rate of 300 as a stage of its own.
DEFAULT_RATES = "5,10,25,50,75,100,150,200,300,400"
MACHINE_BROKER = "rabbitmq (the machine's, shared)"
PHOTO_DIR = ROOT.parent / "shared" / "data" / "food-photos" / "test"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one fixed rate on a small data set (< 3 minutes)")
    parser.add_argument("--users", type=int, help="seeded people (default 1000; quick 100)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rates", help="comma-separated offered rates, requests/s "
                        f"(default {DEFAULT_RATES}; quick 40)")
    parser.add_argument("--stage-seconds", type=float, help="seconds per stage (default 60; quick 40)")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of each stage not counted")
    parser.add_argument("--own-rabbitmq", action="store_true", default=bool(os.environ.get("BENCH_OWN_RABBITMQ")),
                        help="start a RabbitMQ node of the run's own (port base+72) instead of the machine's")
    parser.add_argument("--login-stage", action=argparse.BooleanOptionalAction,
                        help="end with the held stage again while people sign in nonstop (default: not with --quick)")
    parser.add_argument("--port-base", type=int, help="lay every port of the run over base+1..base+99 "
                        "(default 9400 with Redis on 6414): a second run beside another one")
    parser.add_argument("--redis-port", type=int, help="the run's Redis (default 6414; with --port-base, base+79)")
    parser.add_argument("--probe-seconds", type=float, default=1.5,
                        help="a probe workout every this many seconds (a photo every twice that)")
    parser.add_argument("--food-model", type=Path, default=ROOT / ".data" / "models" / "food",
                        help="the food-model bundle ai recognises photos with (make food-model writes it to the "
                             "default, .data/models/food); without it, or without torch, photos are not recognised "
                             "and the report says so")
    parser.add_argument("--api-workers", type=api_workers, default={}, metavar="SERVICE=N,...",
                        help="uvicorn processes of an API, e.g. core=2,auth=1 (a service not named: its default, "
                             "processes.default_api_workers)")
    parser.add_argument("--vacuum", action=argparse.BooleanOptionalAction, default=True,
                        help="VACUUM (ANALYZE) and CHECKPOINT the seeded database before the services start, as a "
                             "deployment's long-lived tables would be (default); --no-vacuum loads straight after "
                             "the COPY, for comparison")
    parser.add_argument("--note", default=os.environ.get("BENCH_NOTE", ""), help="said beside the figures")
    args = parser.parse_args()
    args.users = args.users or (100 if args.quick else 1000)
    args.rates = [float(r) for r in (args.rates or ("40" if args.quick else DEFAULT_RATES)).split(",")]
    args.stage_seconds = args.stage_seconds or (40.0 if args.quick else 60.0)
    args.login_stage = not args.quick if args.login_stage is None else args.login_stage
    return args


def photo() -> bytes:
    """A real food photo from the shared folder (never committed), else a generated picture."""
    found = sorted(PHOTO_DIR.glob("*/*.jpg"))[:1] if PHOTO_DIR.is_dir() else []
    if found:
        return found[0].read_bytes()
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 192), (200, 120, 60)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


SEED_PROCESSES = 4  # histories are drawn and loaded by this many processes, two transactions each


def seed_chunk(settings: dict[str, str], ids: list[uuid.UUID], emails: list[str], days: int) -> dict[str, int]:
    """One seeding process: the histories of `ids` (a process of its own: drawing them is Python CPU)."""
    from fitjourney_common.db.engine import create_engine, create_session_factory
    from fitjourney_core.demo.seeder import seed_histories
    from fitjourney_core.journal.crypto import JournalCipher
    from fitjourney_core.settings import CoreSettings

    core = CoreSettings(**settings)  # type: ignore[arg-type]

    async def histories() -> dict[str, int]:
        engine = create_engine(core.database_url, "core", pool_size=2)
        try:
            result = await seed_histories(
                create_session_factory(engine), ids, days=days, concurrency=2, emit_events=False,
                cipher=JournalCipher(core.journal_key_ring, current_key_id=core.journal_key_id),
                display_names={user_id: email.split("@")[0] for user_id, email in zip(ids, emails, strict=True)})
        finally:
            await engine.dispose()
        return {**result.rows, "people": len(result.seeded)}

    return asyncio.run(histories())


def seed(stack: Stack, emails: list[str], days: int) -> dict[str, Any]:
    """Accounts in auth (one bcrypt hash at cost 12 for all), then their histories in core."""
    from fitjourney_auth.cli import seed_accounts
    from fitjourney_auth.settings import AuthSettings

    backends = {"environment": "production", "redis_url": stack.redis_url, "broker_url": stack.broker_url,
                "object_store_url": "s3://fitjourney"}
    started = time.perf_counter()
    auth = AuthSettings(database_url=stack.service_url("auth"), key_dir=stack.dir / "keys", **backends)
    ids = asyncio.run(seed_accounts(auth, emails,
                                    PASSWORD))
    accounts = time.perf_counter() - started
    # The cluster's superuser: outside row-level security the seeder loads with COPY (every row names its
    # owner); the histories' lifecycle events are left out (--no-events), so the outboxes start empty.
    settings = {"database_url": stack.db_url(), "journal_encryption_key": stack.journal_key, **backends}
    rows: Counter[str] = Counter()
    with ProcessPoolExecutor(SEED_PROCESSES) as pool:
        for counted in pool.map(seed_chunk, *zip(*[(settings, ids[n::SEED_PROCESSES], emails[n::SEED_PROCESSES], days)
                                                   for n in range(SEED_PROCESSES)], strict=True)):
            rows.update(counted)
    people = rows.pop("people")
    return {"accounts_seconds": round(accounts, 1), "histories_seconds": round(time.perf_counter() - started
                                                                              - accounts, 1),
            "rows": dict(rows), "people": people}


async def settle(stack: Stack) -> None:
    """The seeded tables as a deployment's are after months: vacuumed (hint bits set, visibility map, free space
    map), analysed, and checkpointed. Straight after the COPY the first stages would pay for it instead: the first
    read of every page sets its hint bits and dirties it, autovacuum and autoanalyze come round during the load,
    and the checkpoint that the seed's WAL forces is still writing."""
    conn = await asyncpg.connect(stack.db_url(driver="postgresql"))
    try:
        await conn.execute("VACUUM (ANALYZE)")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def wait_outboxes_empty(stack: Stack, seconds: float = 120) -> None:
    """The seed's `user.registered` events relayed and consumed before the load begins."""
    conn = await asyncpg.connect(stack.db_url(driver="postgresql"))
    try:
        deadline = time.monotonic() + seconds
        outboxes = [f'"{row[0]}"."{row[1]}"' for row in await conn.fetch(
            "select table_schema, table_name from information_schema.tables "
            "where table_name in ('outbox', 'outbox_messages')")]
        while time.monotonic() < deadline:
            waiting = sum([await conn.fetchval(f"select count(*) from {name} where published_at is null")  # noqa: S608
                           for name in outboxes])
            if waiting == 0:
                return
            await asyncio.sleep(0.5)
        raise RuntimeError("the outboxes did not drain")
    finally:
        await conn.close()


async def database(stack: Stack, statement: str, *args: Any) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(stack.db_url(driver="postgresql"))
    try:
        return [dict(row) for row in await conn.fetch(statement, *args)]
    finally:
        await conn.close()


def run_probes(stack: Stack, sessions: list[dict[str, Any]], picture: bytes,
               stop: threading.Event, every: float) -> dict[str, PipelineProbe]:
    probes = {"workout → calories visible": PipelineProbe("workout", stack.api("core"), stack.api("auth"), sessions[0],
                                                         every),
              "photo → recognition visible": PipelineProbe("photo", stack.api("core"), stack.api("auth"), sessions[1],
                                                          2 * every, picture)}

    async def all_probes() -> None:
        done = asyncio.Event()

        async def watch() -> None:
            await asyncio.to_thread(stop.wait)
            done.set()
        await asyncio.gather(watch(), *(probe.run(done) for probe in probes.values()))

    thread = threading.Thread(target=lambda: asyncio.run(all_probes()), name="bench-probes", daemon=True)
    thread.start()
    probes_thread.append(thread)
    return probes


probes_thread: list[threading.Thread] = []


def main() -> int:
    # SIGTERM (a timeout, a stopped job) unwinds like Ctrl-C: the `with Stack()` block stops what it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = arguments()
    stages = plan(args.rates, args.stage_seconds, args.warmup)
    people = max(stage.users for stage in stages)
    if people + 2 > args.users:  # two more: the pipeline probes
        raise SystemExit(f"{people + 2} signed-in people needed for {max(args.rates):.0f} requests/s; seed more")
    emails = [f"bench-{index:05d}@example.com" for index in range(args.users)]
    picture = photo()
    started_at = datetime.now(UTC)
    ports = Ports.from_base(args.port_base, args.redis_port) if args.port_base else Ports(
        **({"redis": args.redis_port} if args.redis_port else {}))
    model_uri = f"file://{args.food_model.resolve()}" if (args.food_model / "manifest.json").is_file() else None
    with Stack(ports, api_workers=args.api_workers, food_model_uri=model_uri, own_rabbitmq=args.own_rabbitmq) as stack:
        print(f"stack run {stack.run_id} in {stack.dir}, logs in {stack.logs}", flush=True)
        phases: dict[str, float] = {}
        clock = time.perf_counter()

        def phase(name: str) -> None:
            nonlocal clock
            phases[name] = round(time.perf_counter() - clock, 1)
            clock = time.perf_counter()
            print(f"{name}: {phases[name]} s", flush=True)

        stack.start()
        phase("backends, roles, migrations")
        seeded = seed(stack, emails, args.days)
        phase(f"seeding {seeded}")
        phases["seeding"] = phases.pop(f"seeding {seeded}")
        if args.vacuum:
            asyncio.run(settle(stack))
            phase("vacuum, analyze, checkpoint")
        stack.start_services()
        asyncio.run(wait_outboxes_empty(stack))
        recognition = food_recognition(stack)
        print(f"food recognition: {recognition}", flush=True)
        phase("services and workers up")
        roles = {role: process.pid for role, process in stack.processes.items()}
        roles["postgres"] = stack.postgres_pid
        if not args.own_rabbitmq:  # the stack's broker all the same: its CPU is part of what the stack costs
            broker = listening_pid(urlsplit(stack.broker_url).port or 5672)
            if broker is not None:
                roles[MACHINE_BROKER] = broker
        with ProcessMonitor(roles) as monitor:
            pool: list[dict[str, Any]] = []
            batches: list[dict[str, Any]] = []

            def sign_in_up_to(count: int) -> None:
                """More people signed in between stages (not during one: bcrypt would weigh on the stage)."""
                wanted = emails[len(pool):count]
                if not wanted:
                    return
                began = time.time()
                sessions, figures = asyncio.run(sign_in(stack.api("auth"), wanted, PASSWORD,
                                                        concurrency=4 * stack.api_workers["auth"]))
                if len(sessions) < len(wanted):
                    raise SystemExit(f"not every bench account could sign in: {figures['failure_examples']}")
                figures["auth_cpu_mean_pct"] = monitor.window(began, time.time()).get("auth api", {}).get(
                    "cpu_mean_pct", 0.0)
                pool.extend(sessions)
                batches.append(figures)

            sign_in_up_to(2 + stages[0].users)
            phase("first logins")
            photo_file = stack.dir / "photo.jpg"
            photo_file.write_bytes(picture)
            asyncio.run(database(stack, "select pg_stat_statements_reset()"))
            stop = threading.Event()
            probes = run_probes(stack, pool[:2], picture, stop, args.probe_seconds)
            raw: dict[str, Any] = {"stages": [], "examples": {}, "stopped_because": None}

            def drive(stage: Stage, index: int) -> dict[str, Any]:
                """One stage of Locust at `stage.rate`; its raw samples (the people's tokens carried on)."""
                sign_in_up_to(2 + stage.users)
                sessions_file, samples_file = stack.dir / f"sessions-{index}.json", stack.dir / f"samples-{index}.json"
                sessions_file.write_text(json.dumps(pool[2:2 + stage.users]))
                env = {**os.environ, "BENCH_SESSIONS": str(sessions_file), "BENCH_SAMPLES": str(samples_file),
                       "BENCH_PHOTO": str(photo_file), "BENCH_AUTH_URL": stack.api("auth"),
                       "BENCH_CORE_URL": stack.api("core"), "BENCH_ANALYTICS_URL": stack.api("analytics"),
                       "BENCH_PLAN": json.dumps([{"rate": stage.rate, "seconds": stage.seconds,
                                                  "warmup": stage.warmup}])}
                with (stack.logs / "locust.log").open("ab") as log:
                    locust = subprocess.Popen(  # noqa: S603 - our own venv's locust, fixed arguments
                        [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
                         "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
                        env=env, stdout=log, stderr=subprocess.STDOUT)
                    monitor.roles["locust"] = locust.pid
                    locust.wait()
                if not samples_file.exists():
                    print((stack.logs / "locust.log").read_text()[-3000:])
                    raise SystemExit("locust wrote no samples")
                done = json.loads(samples_file.read_text())
                # The people's tokens as they left them (refresh tokens rotate): the next stage goes on with them.
                pool[2:2 + stage.users] = json.loads(sessions_file.read_text())
                return done

            for index, stage in enumerate(stages):
                done = drive(stage, index)
                raw["stages"] += done["stages"]
                for name, examples in done["examples"].items():
                    raw["examples"].setdefault(name, []).extend(examples[:3 - len(raw["examples"].get(name, []))])
                summary = stage_results({"stages": done["stages"]})
                print(f"stage {stage.rate:.0f} requests/s: {summary[0]['overall'] if summary else 'no answers'}",
                      flush=True)
                reason = summary[0]["broke"] if summary else "no answers"
                if reason:
                    raw["stopped_because"] = f"stage at {stage.rate:.0f} requests/s: {reason}"
                    break
            during_logins = None
            if args.login_stage:
                # The same load again while people sign in nonstop: what bcrypt does to everyone else.
                compared = next((s for s in reversed(stage_results(raw)) if s["sustained"]), None)
                rate = compared["rate"] if compared else stages[0].rate
                stage = next(s for s in stages if s.rate == rate)
                with LoginStorm(stack.api("auth"), emails[len(pool):] or emails, PASSWORD,
                                concurrency=2 * stack.api_workers["auth"]) as storm:
                    done = drive(stage, len(stages))
                loaded = stage_results({"stages": done["stages"]})
                during_logins = {"rate": rate, "stage": loaded[0] if loaded else None, "logins": storm.figures()}
                print(f"stage {rate:.0f} requests/s with sign-ins: {during_logins}"[:400], flush=True)
            stop.set()
            for thread in probes_thread:
                thread.join(timeout=60)
            statements = statement_summary(asyncio.run(database(stack, STATEMENTS_SQL, 40)))
            hops = pipeline_hops(stack, started_at)
            phase("load")
            logins = login_summary(batches)
        results = stage_results(raw)
        pipelines = {}
        windows = [tuple(stage["window"]) for stage in results]
        for name, samples, failures in pipeline_samples(probes):
            during_load = [sample for sample in samples if any(a <= sample[0] <= b for a, b in windows)]
            pipelines[name] = {"overall": pipeline_summary(during_load), "failures": failures,
                               "per_stage": {f"{s['rate']:.0f}": pipeline_summary(samples, tuple(s["window"]))
                                             for s in results}}
        processes = {f"{s['rate']:.0f}": monitor.window(*s["window"]) for s in results}
        if results:
            processes["last_stage"] = monitor.window(*results[-1]["window"])
        meta = {
            "bench": "stack-quick" if args.quick else "stack", "started_at": started_at.isoformat(timespec="seconds"),
            "command": "make bench-quick" if args.quick else "make bench",
            "argv": shlex.join([Path(sys.executable).name, *sys.argv]),
            "machine": f"{os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}, "
                       f"PostgreSQL 15 (own cluster), Redis {redis_version()}, RabbitMQ "
                       f"({'own node' if args.own_rabbitmq else 'the machine' + chr(39) + 's'})",
            "load_average_at_start": os.getloadavg(), "note": args.note, "food_recognition": recognition,
            "phases_seconds": phases,
            "data": f"{seeded['people']} people x {args.days} days ({sum(seeded['rows'].values()):,} rows; "
                    f"accounts in {seeded['accounts_seconds']} s, histories in {seeded['histories_seconds']} s)",
            "seed": seeded, "api_workers": stack.api_workers, "nproc": os.cpu_count(),
            "plan": [{"rate": s.rate, "users": s.users, "seconds": s.seconds, "warmup": s.warmup} for s in stages],
        }
        result = assemble(meta=meta, stages=results, stopped_because=raw.get("stopped_because"), logins=logins,
                          during_logins=during_logins, hops=hops,
                          pipelines=pipelines, processes=processes, statements=statements,
                          examples=raw.get("examples", {}))
    phases["teardown"] = round(time.perf_counter() - clock, 1)
    phases["total"] = round(sum(phases.values()), 1)
    json_path, md_path = write(result, meta["bench"])
    print(markdown(result))
    print(f"results: {json_path.relative_to(ROOT)}, {md_path.relative_to(ROOT)}")
    return 0


# Where each pipeline's time goes, from the timestamps it writes anyway (one clock): the event made in core's
# request (t0) and confirmed by the broker to core's relay (t1), ai's inbox claim (t2), ai's answer made (t3) and
# confirmed to ai's relay (t4), core's inbox claim of the answer (t5). ai claims a photo after recognising it.
HOPS_SQL = """
with w as (
  select o.id, o.payload->'data'->>$5 as key, o.occurred_at as t0, o.published_at as t1
  from core.outbox o where o.type = $3 and o.occurred_at between $1 and $2),
hops as (
  select w.t0, w.t1, a.processed_at as t2, e.occurred_at as t3, e.published_at as t4, c.processed_at as t5
  from w
  join ai.processed_events a on a.event_id = w.id and a.consumer = 'ai:' || $3
  join ai.outbox e on e.type = $4 and e.payload->'data'->>$5 = w.key
  join core.processed_events c on c.event_id = e.id and c.consumer = 'core:' || $4),
ms as (
  select 1 as step, t1 - t0 as d from hops union all select 2, t2 - t0 from hops
  union all select 3, t3 - t2 from hops union all select 4, t4 - t3 from hops
  union all select 5, t5 - t3 from hops union all select 6, t5 - t0 from hops)
select step, count(*) as n,
  round((percentile_cont(0.5) within group (order by extract(epoch from d)) * 1000)::numeric, 1) as p50_ms,
  round((percentile_cont(0.95) within group (order by extract(epoch from d)) * 1000)::numeric, 1) as p95_ms,
  round((percentile_cont(0.99) within group (order by extract(epoch from d)) * 1000)::numeric, 1) as p99_ms
from ms group by step order by step
"""
# pipeline: (core's event, ai's answer, the key both carry, what ai's claim marks)
HOP_PIPELINES = {
    "workout → calories": ("workout.created", "workout.calories_estimated", "workout_id", "ai consumer starts"),
    "photo → recognition": ("food.photo_uploaded", "food.photo_recognized", "job_id",
                            "ai has read and recognised the photo"),
}


def pipeline_hops(stack: Stack, since: datetime) -> list[dict[str, Any]]:
    """Every workout's and photo's pipeline of the run, hop by hop (p50/p95/p99 ms)."""
    found = []
    for pipeline, (event, answer, key, claimed) in HOP_PIPELINES.items():
        labels = {1: "core outbox → confirmed by the broker (core relay)", 2: f"core outbox → {claimed}",
                  3: "ai claim → answer written", 4: "ai outbox → confirmed by the broker (ai relay)",
                  5: "ai outbox → core consumer starts", 6: "whole: core outbox → core consumer starts"}
        rows = asyncio.run(database(stack, HOPS_SQL, since, datetime.now(UTC), event, answer, key))
        found += [{"pipeline": pipeline, "hop": labels[row["step"]], "n": row["n"],
                   **{k: float(v) for k, v in row.items() if k.endswith("_ms") and v is not None}} for row in rows]
    return found


def food_recognition(stack: Stack, seconds: float = 120) -> dict[str, Any]:
    """Whether ai recognises photos in this run (its /readyz capability, once the model has loaded or failed to)."""
    deadline = time.monotonic() + seconds
    while True:
        capability = httpx.get(f"{stack.api('ai')}/readyz", timeout=10).json().get("capabilities", {}).get(
            "food_recognition", {})
        if capability.get("available") or "loading" not in str(capability.get("reason")) \
                or time.monotonic() > deadline:
            return {"available": bool(capability.get("available")), "reason": capability.get("reason"),
                    "model_version": capability.get("model_version"), "model_uri": stack.food_model_uri}
        time.sleep(1)


def pipeline_samples(probes: dict[str, PipelineProbe]) -> list[tuple[str, list[Any], list[str]]]:
    """Each probe's samples; a photo answered without a recognition (`unavailable`: no model, `failed`) is kept
    apart, so its latency is never shown as a recognition's."""
    found = []
    for name, probe in probes.items():
        if probe.kind != "photo":
            found.append((name, probe.samples, probe.failures[:3]))
            continue
        recognised = [sample for sample in probe.samples if sample[2] in ("done", "timeout")]
        found.append((name, recognised, probe.failures[:3]))
        unrecognised = [sample for sample in probe.samples if sample not in recognised]
        if unrecognised:
            found.append((UNRECOGNISED, unrecognised, []))
    return found


UNRECOGNISED = "photo → answer without a recognition"


def login_summary(batches: list[dict[str, Any]]) -> dict[str, Any]:
    """Every sign-in batch together: logins per second, and per busy core of auth (bcrypt is the cost)."""
    latencies = [ms for batch in batches for ms in batch.pop("latencies_ms")]
    seconds = sum(batch["seconds"] for batch in batches)
    logins = sum(batch["logins"] - batch["failures"] for batch in batches)
    cpu = sum(batch["auth_cpu_mean_pct"] * batch["seconds"] for batch in batches) / seconds if seconds else 0.0
    per_s = logins / seconds if seconds else 0.0
    return {"logins": logins, "concurrency": batches[0]["concurrency"] if batches else 0, "seconds": round(seconds, 1),
            "logins_per_s": round(per_s, 2), "auth_cpu_mean_pct": round(cpu, 1),
            "per_core_s": round(per_s / (cpu / 100), 2) if cpu else None,
            "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "failures": sum(batch["failures"] for batch in batches), "batches": batches}


def redis_version() -> str:
    done = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return next((part.split("=")[1] for part in done.stdout.split() if part.startswith("v=")), "?")


if __name__ == "__main__":
    raise SystemExit(main())
