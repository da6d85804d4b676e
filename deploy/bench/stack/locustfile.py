"""The app's mixed workload for Locust (headless), stepped through the rates of `stages.plan`.

Each simulated person is a seeded account signed in beforehand (its tokens come from BENCH_SESSIONS);
it opens the app (daily summary, sometimes the analytics dashboard), searches and logs food, logs
workouts, weight, habit check-ins and journal entries, refreshes its token and now and then uploads a
food photo, at TASK_RATE tasks a second (`constant_throughput`). A custom load shape steps the number of
people so the offered rate follows the plan, and stops early when a stage breaks. Every answer is
recorded with its stage (warm-ups left out); the samples go to BENCH_SAMPLES for the orchestrator.

    locust -f locustfile.py --headless   (environment: BENCH_SESSIONS, BENCH_PLAN, BENCH_SAMPLES, BENCH_*_URL)
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from locust import FastHttpUser, LoadTestShape, constant_throughput, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stages import TASK_RATE, Stage, broke, latency_summary, stage_at

AUTH = os.environ.get("BENCH_AUTH_URL", "http://127.0.0.1:9401")
CORE = os.environ.get("BENCH_CORE_URL", "http://127.0.0.1:9402")
ANALYTICS = os.environ.get("BENCH_ANALYTICS_URL", "http://127.0.0.1:9404")
PHOTO = Path(os.environ["BENCH_PHOTO"]).read_bytes() if os.environ.get("BENCH_PHOTO") else b""
# FastHttpUser sends bytes as they are: the photo's multipart body is built once.
BOUNDARY = "fitjourney-bench-boundary"
PHOTO_BODY = (f'--{BOUNDARY}\r\ncontent-disposition: form-data; name="image"; filename="lunch.jpg"\r\n'
              f"content-type: image/jpeg\r\n\r\n").encode() + PHOTO + f"\r\n--{BOUNDARY}--\r\n".encode()
STAGES = [Stage(**stage) for stage in json.loads(os.environ.get("BENCH_PLAN", "[]"))]
SESSIONS: list[dict[str, Any]] = json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text()) \
    if os.environ.get("BENCH_SESSIONS") else []
EVERY_SESSION = list(SESSIONS)  # the same dicts, updated in place by each refresh
FOOD_TERMS = ("banana", "chicken breast", "rice", "apple", "oats", "egg", "yogurt", "salmon", "bread", "milk",
              "broccoli", "cheese", "pasta", "potato", "tomato")
ACTIVITIES = (("running", 5.0), ("cycling", 15.0), ("walking", 3.0), ("swimming", None), ("yoga", None))


class Recorder:
    """Answers per stage and endpoint: latencies of successes, counts and first examples of failures."""

    def __init__(self) -> None:
        self.started = time.time()
        self.samples: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.errors: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.examples: dict[str, list[str]] = defaultdict(list)
        self.windows: dict[int, list[float]] = {}
        self.stopped_because: str | None = None

    def stage_of(self, at: float) -> int | None:
        index = stage_at(STAGES, at - self.started)
        if index is None:
            return None
        begins = self.started + sum(stage.seconds for stage in STAGES[:index])
        if at - begins < STAGES[index].warmup:
            return None
        self.windows.setdefault(index, [at, at])[1] = at
        self.windows[index][0] = min(self.windows[index][0], at)
        return index

    def record(self, name: str, response_time: float, exception: Any, response: Any) -> None:
        index = self.stage_of(time.time())
        if index is None:
            return
        if exception is None:
            self.samples[index][name].append(response_time)
            return
        self.errors[index][name] += 1
        if len(self.examples[name]) < 3:
            status = getattr(response, "status_code", None)
            body = (getattr(response, "text", "") or "")[:200]
            self.examples[name].append(f"{status}: {exception!s}"[:200] + (f" {body}" if body else ""))

    def stage_overall(self, index: int) -> dict[str, float | int]:
        stage = STAGES[index]
        latencies = [ms for per_name in self.samples[index].values() for ms in per_name]
        return latency_summary(latencies, sum(self.errors[index].values()), stage.seconds - stage.warmup)

    def dump(self, path: Path) -> None:
        stages = []
        for index, stage in enumerate(STAGES):
            if index not in self.windows:
                continue
            first, _last = self.windows[index]
            begins = self.started + sum(s.seconds for s in STAGES[:index])
            stages.append({"index": index, "rate": stage.rate, "users": stage.users, "seconds": stage.seconds,
                           "warmup": stage.warmup, "measured_from": begins + stage.warmup,
                           "measured_to": begins + stage.seconds, "first_answer": first,
                           "samples": self.samples[index], "errors": self.errors[index]})
        path.write_text(json.dumps({"started": self.started, "stages": stages, "examples": self.examples,
                                    "stopped_because": self.stopped_because}))


RECORDER = Recorder()


@events.test_start.add_listener
def _start(environment: Any, **_: Any) -> None:
    RECORDER.started = time.time()


@events.request.add_listener
def _on_request(name: str, response_time: float, exception: Any, response: Any = None, **_: Any) -> None:
    RECORDER.record(name, response_time, exception, response)


@events.quitting.add_listener
def _on_quit(environment: Any, **_: Any) -> None:
    if os.environ.get("BENCH_SAMPLES"):
        RECORDER.dump(Path(os.environ["BENCH_SAMPLES"]))
    if os.environ.get("BENCH_SESSIONS"):
        # Refresh tokens rotate: the tokens as the people leave them, for the orchestrator's next stage.
        Path(os.environ["BENCH_SESSIONS"]).write_text(json.dumps(EVERY_SESSION))


class SteppedRate(LoadTestShape):
    """As many people as each stage's rate needs; stops after a stage that broke, or after the last."""

    checked = -1

    def tick(self) -> tuple[int, float] | None:
        index = stage_at(STAGES, time.time() - RECORDER.started)
        if index is None:
            return None
        if index > 0 and self.checked < index - 1:
            self.checked = index - 1
            reason = broke(STAGES[index - 1].rate, RECORDER.stage_overall(index - 1))
            if reason is not None:
                RECORDER.stopped_because = f"stage at {STAGES[index - 1].rate:.0f} requests/s: {reason}"
                return None
        users = STAGES[index].users
        return users, max(5.0, users / 4)


def _local_now() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=5)


class AppUser(FastHttpUser):
    """One signed-in person using the app; their own account, tokens and habits."""

    host = CORE
    wait_time = constant_throughput(TASK_RATE)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        if not SESSIONS:
            raise RuntimeError("no signed-in sessions left for another simulated person")
        self.session = SESSIONS.pop()
        self.habits: list[str] = []
        self.refresh_token()  # signed in before the run: start with a fresh access token
        with self.client.get("/api/v1/habits?limit=20", headers=self.auth, name="GET /habits",
                             catch_response=True) as answer:
            if answer.status_code == 200:
                items = answer.json()["items"]
                self.habits = [h["id"] for h in items if h.get("schedule") in ("daily", [
                    "mon", "tue", "wed", "thu", "fri", "sat", "sun"])]
                answer.success()
            else:
                answer.failure(f"status {answer.status_code}")

    def on_stop(self) -> None:
        SESSIONS.append(self.session)  # free for a person started later in this run

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.session['access_token']}"}

    @task(40)
    def open_app(self) -> None:
        self.client.get("/api/v1/summary/daily", headers=self.auth, name="GET /summary/daily")
        if random.random() < 0.5:  # noqa: S311 - load mix, not secrets
            self.client.get(f"{ANALYTICS}/api/v1/analytics/dashboard?period=week", headers=self.auth,
                            name="GET /analytics/dashboard")

    @task(25)
    def log_food(self) -> None:
        term = random.choice(FOOD_TERMS)  # noqa: S311
        with self.client.get(f"/api/v1/foods?q={term}&limit=10", headers=self.auth, name="GET /foods?q=",
                             catch_response=True) as answer:
            items = answer.json().get("items", []) if answer.status_code == 200 else []
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")
                return
        if items:
            self.client.post("/api/v1/food-logs", headers=self.auth, name="POST /food-logs", json={
                "food_id": items[0]["id"], "grams": random.choice((80, 120, 150, 200)),  # noqa: S311
                "meal": random.choice(("breakfast", "lunch", "dinner", "snack")),  # noqa: S311
                "eaten_at": _local_now().isoformat()})

    @task(10)
    def log_workout(self) -> None:
        activity, distance = random.choice(ACTIVITIES)  # noqa: S311
        self.client.post("/api/v1/workouts", headers=self.auth, name="POST /workouts", json={
            "activity": activity, "started_at": (_local_now() - timedelta(minutes=40)).isoformat(),
            "duration_min": 30, "distance_km": distance, "perceived_effort": 5})

    @task(10)
    def list_workouts(self) -> None:
        self.client.get("/api/v1/workouts?limit=10", headers=self.auth, name="GET /workouts")

    @task(15)
    def check_in(self) -> None:
        if not self.habits:
            return
        day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        self.client.post(f"/api/v1/habits/{random.choice(self.habits)}/check-ins", headers=self.auth,  # noqa: S311
                         name="POST /habits/{id}/check-ins", json={"date": day, "count": 1})

    @task(10)
    def write_journal(self) -> None:
        day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        self.client.put(f"/api/v1/journal/{day}", headers=self.auth, name="PUT /journal/{date}", json={
            "mood": random.randint(2, 5), "energy": random.randint(2, 5),  # noqa: S311
            "text": "Felt good after the walk; slept a bit late.", "tags": ["walking"]})

    @task(10)
    def log_weight(self) -> None:
        self.client.post("/api/v1/body-metrics", headers=self.auth, name="POST /body-metrics", json={
            "measured_at": _local_now().isoformat(), "weight_kg": round(random.uniform(60, 95), 1)})  # noqa: S311

    @task(4)
    def refresh_token(self) -> None:
        with self.client.post(f"{AUTH}/api/v1/auth/refresh", name="POST /auth/refresh", catch_response=True,
                              json={"refresh_token": self.session["refresh_token"]}) as answer:
            if answer.status_code == 200:
                tokens = answer.json()
                self.session["access_token"] = tokens["access_token"]
                self.session["refresh_token"] = tokens["refresh_token"]
                answer.success()
            else:
                answer.failure(f"status {answer.status_code}")

    @task(1)
    def upload_photo(self) -> None:
        if PHOTO:
            self.client.post("/api/v1/food-logs/photo", name="POST /food-logs/photo", data=PHOTO_BODY,
                             headers={**self.auth, "content-type": f"multipart/form-data; boundary={BOUNDARY}"})
