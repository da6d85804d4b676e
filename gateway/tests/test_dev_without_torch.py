"""`make dev` where torch cannot be imported (it is an extra of the ai service, for training only): the stack
starts and calories, trends, recommendations and insights work; without a model a photo job ends
`unavailable` with a reason that says what to do and /readyz reports the recognition capability missing
while staying ready; with a trained bundle (its ONNX export) photos are recognised, still without torch.

torch may well be installed here (`make test` installs it): the server runs behind an import hook that
refuses `torch` and `torchvision` (and says so in its log), so the test does not depend on what this machine
has. The bundle is made here, where torch is allowed: an untrained network is enough to prove the serving.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
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
print("test hook: installed", file=sys.stderr, flush=True)
runpy.run_module("fitjourney_gateway.dev", run_name="__main__", alter_sys=True)
"""
DEADLINE_SECONDS = 30  # ~1 s on an idle machine; generous for a shared one


REFUSED = "test hook: import of torch"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with running_dev_server(tmp_path_factory.mktemp("dev-no-torch"), dev_env(),
                            ("-c", WITHOUT_TORCH)) as running:
        yield running


def untrained_bundle(folder: Path) -> dict[str, Any]:
    """A bundle as `make food-model` writes it (weights, ONNX export, manifest) for every catalogue class,
    of a network that was never trained; its manifest."""
    torch = pytest.importorskip("torch", reason="making a bundle needs the vision extra (make test installs it)")
    from fitjourney_ai.recognition.bundle import Manifest, sha256_hex, write_bundle
    from fitjourney_ai.recognition.export import export_bundle
    from fitjourney_ai.recognition.food_classes import class_foods
    from fitjourney_ai.recognition.vision import build_model

    labels = sorted(class_foods())
    buffer = io.BytesIO()
    torch.manual_seed(0)
    torch.save(build_model("mobilenet_v3_small", len(labels)).state_dict(), buffer)
    weights = buffer.getvalue()
    write_bundle(folder, Manifest(version="untrained-for-a-test", arch="mobilenet_v3_small", labels=labels,
                                  input_size=64, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                                  sha256=sha256_hex(weights), created_at="2026-12-07T00:00:00+00:00"), weights)
    export_bundle(folder)
    return dict(json.loads((folder / "manifest.json").read_text()))


def catalogue_foods() -> set[str]:
    from fitjourney_ai.recognition.food_classes import class_foods

    return {food.food_name for food in class_foods().values()}


@pytest.fixture(scope="module")
def stack_with_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevStack, dict[str, Any]]]:
    workdir = tmp_path_factory.mktemp("dev-no-torch-model")
    manifest = untrained_bundle(workdir / ".data" / "models" / "food")  # where `make dev` looks
    with running_dev_server(workdir, dev_env(), ("-c", WITHOUT_TORCH)) as running:
        yield running, manifest


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
        assert "no usable food model" in job["reason"] and "make food-model" in job["reason"]
        sync = http.post("/api/v1/ai/food-recognition", headers=headers,
                         files={"image": ("lunch.jpg", _jpeg(), "image/jpeg")})
        assert sync.status_code == 503 and "make food-model" in sync.json()["detail"]

        ready = http.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        recognition = ready.json()["services"]["ai"]["capabilities"]["food_recognition"]
        assert recognition["available"] is False and "make food-model" in recognition["reason"]
    # The hook was in place (torch could not be imported in the server) and nothing in it asked for torch.
    assert "test hook: installed" in stack.log() and REFUSED not in stack.log()


def test_without_torch_a_trained_model_recognises_photos(stack_with_model: tuple[DevStack, dict[str, Any]]) -> None:
    stack, manifest = stack_with_model
    with httpx.Client(base_url=stack.base_url, timeout=30) as http:
        headers = _signed_in(http)
        ready = _until(lambda: http.get("/readyz").json()["services"]["ai"]["capabilities"]["food_recognition"],
                       lambda recognition: recognition["available"] or "loading" not in (recognition["reason"] or ""))
        assert ready == {"available": True, "reason": None, "model_version": manifest["version"]}

        uploaded = http.post("/api/v1/food-logs/photo", headers=headers,
                             files={"image": ("lunch.jpg", _jpeg(), "image/jpeg")})
        assert uploaded.status_code == 202, uploaded.text
        job = _until(lambda: http.get(uploaded.headers["Location"], headers=headers).json(),
                     lambda j: j["status"] != "pending")
        assert job["status"] == "done", job
        assert len(job["candidates"]) == 5
        assert {c["label"] for c in job["candidates"]} <= catalogue_foods()
        sync = http.post("/api/v1/ai/food-recognition", headers=headers,
                         files={"image": ("lunch.jpg", _jpeg(), "image/jpeg")})
        assert sync.status_code == 200, sync.text
        assert sync.json()["model_version"] == manifest["version"] and len(sync.json()["candidates"]) == 5
    assert "test hook: installed" in stack.log() and REFUSED not in stack.log()
