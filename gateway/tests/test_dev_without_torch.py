"""`make dev` where torch cannot be imported (it is an extra of the ai service): the stack starts, calories,
trends, recommendations and insights work, a photo job ends `unavailable` with a reason that says so, and
/readyz reports the recognition capability missing while staying ready.

torch may well be installed here (`make test` installs it): the server runs behind an import hook that
refuses `torch` and `torchvision`, so the test does not depend on what this machine has.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gateway_conftest import DevStack, dev_env, register_confirmed, running_dev_server
from PIL import Image

# Run as `python -c`: refuse torch before anything can import it, then start `make dev`'s module.
WITHOUT_TORCH = """
import importlib.abc, runpy, sys

class RefuseTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("torch", "torchvision"):
            print(f"test hook: import of {name} refused", file=sys.stderr, flush=True)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, RefuseTorch())
runpy.run_module("fitjourney_gateway.dev", run_name="__main__", alter_sys=True)
"""
DEADLINE_SECONDS = 30  # ~1 s on an idle machine; generous for a shared one


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with running_dev_server(tmp_path_factory.mktemp("dev-no-torch"), dev_env(),
                            ("-c", WITHOUT_TORCH)) as running:
        yield running


def _signed_in(http: httpx.Client) -> dict[str, str]:
    email, password = "no-torch@example.com", "Correct-horse-42"
    register_confirmed(http, email, password, "Cook")
    tokens = http.post("/api/v1/auth/login", json={"email": email, "password": password}).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _until(fetch: Any, done: Any) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not done(value := fetch()):
        assert time.monotonic() < deadline, value
        time.sleep(0.5)  # under the API's 100 requests/min per user for the whole wait
    return value


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def test_without_torch_everything_but_photos_works_and_photos_say_why(stack: DevStack) -> None:
    with httpx.Client(base_url=stack.base_url, timeout=30) as http:
        headers = _signed_in(http)
        workout = http.post("/api/v1/workouts", headers=headers, json={
            "activity": "running", "started_at": "2026-11-25T06:00:00Z", "duration_min": 60, "distance_km": 10})
        assert workout.status_code == 201, workout.text
        url = f"/api/v1/workouts/{workout.json()['id']}"
        estimated = _until(lambda: http.get(url, headers=headers).json(),
                           lambda w: w["calories_status"] != "pending")
        assert estimated["calories_status"] == "estimated" and estimated["calories_burned"] > 0
        for path in ("/api/v1/ai/trends", "/api/v1/ai/recommendations", "/api/v1/ai/insights?period=week"):
            answer = http.get(path, headers=headers)
            assert answer.status_code == 200, f"{path}: {answer.text}"
        assert http.get("/api/v1/ai/insights", headers=headers).json()["source"] == "template"

        uploaded = http.post("/api/v1/food-logs/photo", headers=headers,
                             files={"image": ("lunch.jpg", _jpeg(), "image/jpeg")})
        assert uploaded.status_code == 202, uploaded.text
        job = _until(lambda: http.get(uploaded.headers["Location"], headers=headers).json(),
                     lambda j: j["status"] != "pending")
        assert job["status"] == "unavailable" and job["candidates"] == []
        assert "torch" in job["reason"] and "make food-model" in job["reason"]
        sync = http.post("/api/v1/ai/food-recognition", headers=headers,
                         files={"image": ("lunch.jpg", _jpeg(), "image/jpeg")})
        assert sync.status_code == 503 and "torch" in sync.json()["detail"]

        ready = http.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        recognition = ready.json()["services"]["ai"]["capabilities"]["food_recognition"]
        assert recognition["available"] is False and "torch" in recognition["reason"]
    # The code did try torch, and was refused: what it answered is the no-torch path, not a missing model.
    assert "test hook: import of torch refused" in stack.log()
