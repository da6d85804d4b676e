"""ai's API process under direct food-photo uploads (`POST /api/v1/ai/food-recognition`): its RSS and CPU.

    .venv/bin/python deploy/bench/bench_ai_uploads.py --bundle .data/models/food --redis-url redis://127.0.0.1:6393/0
        [--uploads 200] [--burst 4] [--port-base 41300] [--env NAME=VALUE ...]

Starts ai's API as deployed (uvicorn, one process, `RUN_EVENT_WORKER=false`, access log off) on a throwaway
database of the machine's PostgreSQL, a Redis of your own and the machine's RabbitMQ (an exchange and queue
prefix of its own, deleted afterwards), with the bundle as FOOD_MODEL_URI, then posts `--uploads` real photos
of ../shared/data/food-photos/test in bursts of `--burst` concurrent requests. The photos are taken from
every class and re-encoded at varied sizes (as they come: 256 px, and scaled up to 640, 1,280, 2,048 and
4,032 px on the long side, JPEG quality 90, the size of a phone's photo), so a decode at full size would
show. RSS (VmRSS) is sampled every 20 ms: at start, after the first upload (the session is built for it),
peak and at the end; CPU (user + sys) of the process over the uploads ÷ uploads. Prints one JSON line
(not written to results/: figures from a busy shared machine go in README and commit messages).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from fitjourney_common.testing.postgres import migrate, temporary_database
from fitjourney_common.testing.rabbitmq import delete_broker_objects
from fitjourney_common.testing.tokens import AUDIENCE, ISSUER, TestSigner

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SIDES = (None, 640, 1280, 2048, 4032)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")


def photos(folder: Path, n: int) -> list[bytes]:
    """`n` test photos, round-robin over the classes, each at the next of SIDES (None: as stored)."""
    classes = [sorted(p for p in c.iterdir() if p.suffix.lower() in (".jpg", ".jpeg")) for c in sorted(folder.iterdir())
               if c.is_dir()]
    chosen = []
    for i in range(n):
        path = classes[i % len(classes)][(i // len(classes)) % len(classes[i % len(classes)])]
        side = SIDES[i % len(SIDES)]
        if side is None:
            chosen.append(path.read_bytes())
            continue
        with Image.open(path) as image:
            scale = side / max(image.size)
            big = image.convert("RGB").resize((round(image.width * scale), round(image.height * scale)),
                                              Image.Resampling.BICUBIC)
        out = io.BytesIO()
        big.save(out, format="JPEG", quality=90)
        chosen.append(out.getvalue())
    return chosen


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.path, self.peak, self.stop = Path(f"/proc/{pid}/status"), 0.0, threading.Event()

    def rss(self, field: str = "VmRSS") -> float:
        for line in self.path.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def parts(self) -> dict[str, float]:
        return {field: round(self.rss(field), 1) for field in ("RssAnon", "RssFile")}

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(url: str, token: str, images: list[bytes], burst: int) -> dict[str, int]:
    answers: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers) as client:
        async def one(data: bytes) -> None:
            response = await client.post("/api/v1/ai/food-recognition", files={"image": ("p.jpg", data, "image/jpeg")})
            answers[str(response.status_code)] = answers.get(str(response.status_code), 0) + 1
        for start in range(0, len(images), burst):
            await asyncio.gather(*(one(data) for data in images[start:start + burst]))
    return answers


def measure(env: dict[str, str], port: int, token: str, images: list[bytes], burst: int) -> dict[str, Any]:
    """Start the API, upload, measure; the API is stopped whatever happens."""
    server = subprocess.Popen([str(BIN / "uvicorn"), "--factory", "fitjourney_ai.main:create_app",  # noqa: S603
                               "--host", "127.0.0.1", "--port", str(port), "--no-server-header", "--no-access-log"],
                              env=env, cwd=ROOT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                ready = httpx.get(f"{url}/readyz", timeout=5).json()
                if "loading" not in str(ready.get("capabilities", {}).get("food_recognition")):
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("ai's API did not start")
            time.sleep(0.5)
        sampler = Sampler(server.pid)
        at_start = sampler.rss()
        sampler.start()
        first = asyncio.run(drive(url, token, images[:1], 1))
        after_first = sampler.rss()
        cpu_before = cpu_seconds(server.pid)
        answers = asyncio.run(drive(url, token, images[1:], burst))
        cpu = cpu_seconds(server.pid) - cpu_before
        time.sleep(0.5)
        sampler.stop.set()
        sampler.join()
        return {"answers_first": first, "answers": answers,
                "rss_mib": {"start": round(at_start, 1), "after_first_upload": round(after_first, 1),
                            "peak": round(sampler.peak, 1), "end": round(sampler.rss(), 1), **sampler.parts()},
                "cpu_ms_per_upload": round(cpu * 1000 / max(1, len(images) - 1), 2)}
    finally:
        server.terminate()
        server.wait(30)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    images = await asyncio.to_thread(photos, Path(args.images), args.uploads)
    tag = uuid.uuid4().hex[:10]
    with tempfile.TemporaryDirectory(prefix="bench-ai-uploads-") as tmp:
        signer = TestSigner(Path(tmp))
        _, token = signer.token(expires_in=3600)
        async with temporary_database("fj_bench_ai") as database_url:
            await migrate(ROOT / "services" / "ai", database_url)
            env = {**os.environ, "ENVIRONMENT": "test", "DATABASE_URL": database_url, "REDIS_URL": args.redis_url,
                   "BROKER_URL": BROKER_URL, "EVENTS_EXCHANGE": f"fj.bench.{tag}", "EVENTS_QUEUE_PREFIX": f"{tag}.",
                   "JWKS_URL": signer.jwks_url, "JWT_ISSUER": ISSUER, "JWT_AUDIENCE": AUDIENCE,
                   "RATE_LIMIT_API": "100000/minute", "RUN_EVENT_WORKER": "false", "LOG_JSON": "true",
                   "LOG_LEVEL": "WARNING", "FOOD_MODEL_URI": f"file://{args.bundle}",
                   **dict(item.split("=", 1) for item in args.env)}
            try:
                return await asyncio.to_thread(measure, env, args.port_base + 3, token, images, args.burst)
            finally:
                await delete_broker_objects([f"{tag}.ai.events", f"{tag}.ai.events.dlq"],
                                            [f"fj.bench.{tag}", f"fj.bench.{tag}.dlx"], BROKER_URL, prefix=f"{tag}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=str(ROOT / ".data/models/food"))
    parser.add_argument("--images", default=str(ROOT / "../shared/data/food-photos/test"))
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--burst", type=int, default=4)
    parser.add_argument("--port-base", type=int, default=41300)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the API process")
    args = parser.parse_args()
    args.bundle = Path(args.bundle).resolve()
    result = asyncio.run(run(args))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,  # noqa: S607
                            capture_output=True, text=True, check=False).stdout.strip()
    print(json.dumps({"uploads": args.uploads, "burst": args.burst, "env": args.env, **result,
                      "load_average": os.getloadavg(), "commit": commit}))


if __name__ == "__main__":
    main()
