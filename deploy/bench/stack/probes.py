"""What the load tool cannot see: sign-ins (bcrypt-bound, measured on their own) and the event pipelines,
timed from the request to the user's notification on the WebSocket (sent after the result's commit, so
the result is then visible through the API): workout created -> calories estimated, photo uploaded ->
recognition done."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import websockets

NOTIFICATION_TIMEOUT_SECONDS = 30.0
TOKEN_REFRESH_SECONDS = 300.0


async def sign_in(auth_url: str, emails: list[str], password: str, concurrency: int) -> tuple[
        list[dict[str, Any]], dict[str, Any]]:
    """Every account signs in through auth's real login (`concurrency` at once); their sessions, and the
    logins' figures: per second, latency percentiles, failures."""
    gate = asyncio.Semaphore(concurrency)
    sessions: list[dict[str, Any]] = []
    latencies: list[float] = []
    failures: list[str] = []
    async with httpx.AsyncClient(base_url=auth_url, timeout=120) as client:

        async def one(email: str) -> None:
            async with gate:
                started = time.perf_counter()
                answer = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
                latencies.append((time.perf_counter() - started) * 1000)
                if answer.status_code == 200:
                    sessions.append({"email": email, **answer.json()})
                else:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(one(email) for email in emails))
        seconds = time.perf_counter() - started
    from stages import latency_summary

    summary = latency_summary(latencies, 0, seconds)
    return sessions, {"logins": len(emails), "concurrency": concurrency, "seconds": round(seconds, 2),
                      "logins_per_s": round(len(sessions) / seconds, 2), "p50_ms": summary["p50_ms"],
                      "p95_ms": summary["p95_ms"], "p99_ms": summary["p99_ms"], "failures": len(failures),
                      "failure_examples": failures[:3], "latencies_ms": latencies}


class LoginStorm:
    """People signing in nonstop (`concurrency` at once, each the moment the last answered) on a thread of
    its own, for as long as the `with` block runs: the load a stage is measured under to see what bcrypt
    does to the other requests."""

    def __init__(self, auth_url: str, emails: list[str], password: str, concurrency: int):
        self.auth_url, self.emails, self.password, self.concurrency = auth_url, emails, password, concurrency
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), name="login-storm", daemon=True)

    def __enter__(self) -> LoginStorm:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=120)

    async def _run(self) -> None:
        emails = itertools.cycle(self.emails)
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=self.auth_url, timeout=120) as client:

            async def one_after_another() -> None:
                while not self._stop.is_set():
                    began = time.perf_counter()
                    answer = await client.post("/api/v1/auth/login",
                                               json={"email": next(emails), "password": self.password})
                    self.latencies.append((time.perf_counter() - began) * 1000)
                    if answer.status_code != 200:
                        self.failures.append(f"{answer.status_code} {answer.text[:200]}")

            await asyncio.gather(*(one_after_another() for _ in range(self.concurrency)))
        self.seconds = time.perf_counter() - started

    def figures(self) -> dict[str, Any]:
        from stages import latency_summary

        summary = latency_summary(self.latencies, len(self.failures), self.seconds or 1.0)
        done = len(self.latencies) - len(self.failures)
        return {"concurrency": self.concurrency, "logins": done, "seconds": round(self.seconds, 1),
                "logins_per_s": round(done / self.seconds, 2) if self.seconds else 0.0,
                "p50_ms": summary["p50_ms"], "p95_ms": summary["p95_ms"], "failures": len(self.failures),
                "failure_examples": self.failures[:3]}


class PipelineProbe:
    """One signed-in person who does `kind` ("workout" or "photo") every `interval` seconds and times how long
    its result takes to reach them. Samples: (wall-clock time of the request, ms or None on a timeout)."""

    def __init__(self, kind: str, core_url: str, auth_url: str, session: dict[str, Any], interval: float,
                 photo: bytes = b"") -> None:
        self.kind, self.core_url, self.auth_url, self.session = kind, core_url, auth_url, session
        self.interval, self.photo = interval, photo
        self.samples: list[tuple[float, float | None, str]] = []
        self.failures: list[str] = []
        self._token_at = time.monotonic()

    async def _refresh(self, client: httpx.AsyncClient) -> None:
        answer = await client.post(f"{self.auth_url}/api/v1/auth/refresh",
                                   json={"refresh_token": self.session["refresh_token"]})
        answer.raise_for_status()
        self.session.update(answer.json())
        self._token_at = time.monotonic()

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            await self._refresh(client)  # the sign-in may be minutes old
            while not stop.is_set():
                if time.monotonic() - self._token_at > TOKEN_REFRESH_SECONDS:
                    await self._refresh(client)
                ws_url = self.core_url.replace("http://", "ws://") + "/api/v1/ws"
                async with websockets.connect(ws_url, subprotocols=[  # type: ignore[list-item]
                        "bearer", self.session["access_token"]], open_timeout=30) as socket:
                    while not stop.is_set() and time.monotonic() - self._token_at <= TOKEN_REFRESH_SECONDS:
                        try:
                            await self._one(client, socket)
                        except (httpx.HTTPError, KeyError) as exc:
                            self.failures.append(repr(exc)[:200])
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), self.interval)

    async def _one(self, client: httpx.AsyncClient, socket: Any) -> None:
        headers = {"authorization": f"Bearer {self.session['access_token']}"}
        sent_wall, started = time.time(), time.perf_counter()
        if self.kind == "workout":
            answer = await client.post(f"{self.core_url}/api/v1/workouts", headers=headers, json={
                "activity": "running", "duration_min": 30, "distance_km": 5,
                "started_at": (datetime.now(UTC) - timedelta(minutes=45)).isoformat()})
            wanted, key = "workout.calories_estimated", answer.json()["id"]
        else:
            answer = await client.post(f"{self.core_url}/api/v1/food-logs/photo", headers=headers,
                                       files={"image": ("lunch.jpg", self.photo, "image/jpeg")})
            wanted, key = "food.photo_recognized", answer.json()["job_id"]
        if answer.status_code not in (200, 201, 202):
            self.failures.append(f"{answer.status_code} {answer.text[:200]}")
            return
        deadline = started + NOTIFICATION_TIMEOUT_SECONDS
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                self.samples.append((sent_wall, None, "timeout"))
                return
            try:
                message = json.loads(await asyncio.wait_for(socket.recv(), left))
            except TimeoutError:
                continue
            found = (message.get("workout") or {}).get("id") if wanted.startswith("workout") \
                else message.get("job_id")
            if message.get("type") == wanted and found == key:
                status = str(message.get("status") or (message.get("workout") or {}).get("calories_status"))
                self.samples.append((sent_wall, (time.perf_counter() - started) * 1000, status))
                return
