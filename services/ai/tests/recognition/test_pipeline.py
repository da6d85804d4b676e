"""The photo pipeline end to end on a model trained here, on images made here: train → bundle (torch weights
and their ONNX export) → load under ONNX Runtime → classify far above chance, as torch would → candidates
that name catalogue foods, in batches, and over RabbitMQ."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import random
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("torch", reason="photo recognition needs the vision extra (make test installs it)")

from PIL import Image, ImageDraw

from fitjourney_ai import train as train_command
from fitjourney_ai.recognition.bundle import BundleError, read_folder, sha256_hex
from fitjourney_ai.recognition.food_classes import class_foods
from fitjourney_ai.recognition.preprocess import eval_view
from fitjourney_ai.recognition.recognizer import FoodRecognizer
from fitjourney_ai.recognition.serving import OnnxClassifier
from fitjourney_ai.recognition.training import TrainConfig, centre_view, load_folder, train
from fitjourney_ai.recognition.vision import TorchClassifier
from fitjourney_common.events.contracts import FoodPhotoRecognized

# The real photos of ../shared/data/food-photos (never committed; CI has a copy of shared/ beside the clone).
REAL_PHOTOS = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "food-photos" / "test"

# Four of the model's real class names, each drawn as a distinct synthetic picture.
CLASSES = ("apple_pie", "beet_salad", "bibimbap", "breakfast_burrito")
SIDE = 72


def picture(kind: str, rng: random.Random) -> bytes:
    """A noisy picture whose class shows in shape and colour, placed and sized at random."""
    background = tuple(rng.randint(150, 230) for _ in range(3))
    image = Image.new("RGB", (SIDE, SIDE), background)  # type: ignore[arg-type]
    draw = ImageDraw.Draw(image)
    jitter = lambda base: tuple(max(0, min(255, c + rng.randint(-25, 25))) for c in base)  # noqa: E731
    x, y, r = rng.randint(18, 54), rng.randint(18, 54), rng.randint(12, 20)
    if kind == "apple_pie":
        draw.ellipse((x - r, y - r, x + r, y + r), fill=jitter((200, 40, 30)))
    elif kind == "beet_salad":
        for row in range(rng.randint(0, 6), SIDE, 12):
            draw.rectangle((0, row, SIDE, row + 5), fill=jitter((110, 20, 90)))
    elif kind == "bibimbap":
        size = rng.randint(7, 10)
        for i in range(0, SIDE, size):
            for j in range(0, SIDE, size):
                if (i // size + j // size) % 2:
                    draw.rectangle((i, j, i + size - 1, j + size - 1), fill=jitter((30, 150, 50)))
    else:
        draw.polygon([(x, y - r), (x - r, y + r), (x + r, y + r)], fill=jitter((230, 200, 20)))
    for _ in range(60):  # sensor noise
        px, py = rng.randrange(SIDE), rng.randrange(SIDE)
        image.putpixel((px, py), tuple(rng.randint(0, 255) for _ in range(3)))  # type: ignore[arg-type]
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def write_dataset(folder: Path, per_class: int, seed: int) -> None:
    rng = random.Random(seed)
    for kind in CLASSES:
        (folder / kind).mkdir(parents=True)
        for i in range(per_class):
            (folder / kind / f"{i}.jpg").write_bytes(picture(kind, rng))


# Training takes ~20 s of CPU; on a machine shared with other jobs the wall time can be many times that.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    write_dataset(root / "train", 32, seed=1)
    write_dataset(root / "test", 15, seed=2)
    folder, manifest = train(TrainConfig(
        data=root / "train", test=root / "test", out=root / "bundle", arch="mobilenet_v3_small", input_size=48,
        epochs=8, batch_size=24, lr=4e-3, warmup_epochs=1, val_fraction=0.15, threads=2, seed=0))
    assert manifest.labels == sorted(CLASSES)
    return folder


def test_the_bundle_records_labels_metrics_and_checksum(bundle_dir: Path) -> None:
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    assert manifest["arch"] == "mobilenet_v3_small" and manifest["input_size"] == 48
    assert len(manifest["sha256"]) == 64 and manifest["version"].startswith("mobilenet_v3_small-")
    test = manifest["metrics"]["test"]
    assert test["images"] == 60
    assert len(test["confusion_matrix"]) == 4 and sum(map(sum, test["confusion_matrix"])) == 60
    # Chance is 25 %; a working pipeline separates these pictures almost perfectly.
    assert test["top1"] >= 0.8, test
    assert manifest["training"]["epochs"] == 8
    assert manifest["onnx_file"] == "model.onnx"
    assert manifest["onnx_sha256"] == sha256_hex((bundle_dir / "model.onnx").read_bytes())
    assert manifest["onnx_export"]["max_abs_logit_difference"] < 1e-3


def test_the_loaded_model_classifies_new_pictures_far_above_chance(bundle_dir: Path) -> None:
    classifier = OnnxClassifier.from_bundle(*read_folder(bundle_dir, "onnx"))
    rng = random.Random(99)
    truth = [kind for kind in CLASSES for _ in range(10)]
    results = classifier.predict([picture(kind, rng) for kind in truth])
    hits = sum(1 for kind, result in zip(truth, results, strict=True)
               if not isinstance(result, ValueError) and result[0].label == kind)
    assert hits / len(truth) >= 0.8
    assert isinstance(classifier.predict([b"not an image"])[0], ValueError)


def real_photos(per_class: int) -> list[bytes]:
    if not REAL_PHOTOS.is_dir():
        pytest.skip(f"no real photos in {REAL_PHOTOS} (../shared/data/food-photos)")
    return [path.read_bytes() for folder in sorted(REAL_PHOTOS.iterdir()) if folder.is_dir()
            for path in sorted(folder.glob("*.jpg"))[:per_class]]


def assert_same_answers(expected: TorchClassifier, actual: OnnxClassifier, images: list[bytes]) -> None:
    """Same probabilities for every class (to float rounding), so the same top-5 in the same order."""
    batch = np.stack([expected.preprocess(image) for image in images])
    torch_probabilities, onnx_probabilities = expected.probabilities(batch), actual.probabilities(batch)
    np.testing.assert_allclose(onnx_probabilities, torch_probabilities, rtol=0, atol=1e-5)
    torch_answers, onnx_answers = expected.predict(images), actual.predict(images)
    for probabilities, torch_top, onnx_top in zip(torch_probabilities, torch_answers, onnx_answers, strict=True):
        assert not isinstance(torch_top, ValueError) and not isinstance(onnx_top, ValueError)
        assert [p.confidence for p in onnx_top] == pytest.approx([p.confidence for p in torch_top], abs=1.1e-4)
        ranked = sorted(probabilities, reverse=True)
        if all(a - b > 1e-5 for a, b in itertools.pairwise(ranked)):  # no near-tie whose order float noise decides
            assert [p.label for p in onnx_top] == [p.label for p in torch_top]


@pytest.mark.parametrize("photos", ["made here", "real"])
def test_the_onnx_model_answers_as_the_torch_model_does(bundle_dir: Path, photos: str) -> None:
    images = ([picture(kind, random.Random(11)) for kind in CLASSES for _ in range(10)] if photos == "made here"
              else real_photos(per_class=5))
    assert_same_answers(TorchClassifier.from_bundle(*read_folder(bundle_dir)),
                        OnnxClassifier.from_bundle(*read_folder(bundle_dir, "onnx")), images)


def test_a_compact_classifier_answers_exactly_as_the_plain_one(bundle_dir: Path) -> None:
    """The API's session gives its memory back after each batch (arena shrinkage, malloc_trim): same answers."""
    images = [picture(kind, random.Random(13)) for kind in CLASSES for _ in range(4)]
    if REAL_PHOTOS.is_dir():
        images += real_photos(per_class=2)
    plain = OnnxClassifier.from_bundle(*read_folder(bundle_dir, "onnx"))
    compact = OnnxClassifier.from_bundle(*read_folder(bundle_dir, "onnx"), compact=True)
    for size in (1, 3, len(images)):  # batches of several sizes, so the shrunk arena is grown again
        batch = images[:size]
        assert compact.predict(batch) == plain.predict(batch)
        views = np.stack([plain.preprocess(image) for image in batch])
        np.testing.assert_array_equal(compact.probabilities(views), plain.probabilities(views))


def test_a_classifier_holds_no_copy_of_the_model_file_and_still_answers(bundle_dir: Path) -> None:
    """onnxruntime's Python session would keep the bytes it was built from (6.4 MB for the served model)."""
    manifest, model = read_folder(bundle_dir, "onnx")
    references = sys.getrefcount(model)
    classifier = OnnxClassifier.from_bundle(manifest, model, compact=True)
    assert sys.getrefcount(model) == references
    images = [picture(kind, random.Random(17)) for kind in CLASSES]
    assert classifier.predict(images) == OnnxClassifier.from_bundle(*read_folder(bundle_dir, "onnx")).predict(images)


def test_the_service_sees_a_photo_as_training_evaluated_it(bundle_dir: Path) -> None:
    """One preprocessing: the served view of each test picture is training's evaluation view, exactly."""
    test = load_folder(bundle_dir.parent / "test", 48)
    served = np.stack([eval_view(Path(file).read_bytes(), 48) for file in test.files])
    np.testing.assert_allclose(served, centre_view(test.images, 48).numpy(), rtol=0, atol=1e-6)


def test_a_changed_weights_or_onnx_file_is_refused(bundle_dir: Path, tmp_path: Path) -> None:
    manifest, weights = read_folder(bundle_dir)
    with pytest.raises(BundleError, match="sha256"):
        TorchClassifier.from_bundle(manifest, weights[:-1] + bytes([weights[-1] ^ 1]))
    manifest, model = read_folder(bundle_dir, "onnx")
    with pytest.raises(BundleError, match="sha256"):
        OnnxClassifier.from_bundle(manifest, model[:-1] + bytes([model[-1] ^ 1]))


async def test_a_bundle_from_before_the_export_gets_its_onnx_file_from_the_export_command(
    bundle_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from ai_conftest import make_settings

    old = tmp_path / "old-bundle"
    old.mkdir()
    shutil.copy(bundle_dir / "weights.pt", old)
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    for field in ("onnx_file", "onnx_sha256", "onnx_export"):
        del manifest[field]
    (old / "manifest.json").write_text(json.dumps(manifest))
    settings = make_settings(food_model_uri=f"file://{old}")

    before = FoodRecognizer(settings)
    await before.load()
    assert before.status == "unavailable"
    assert f"python -m fitjourney_ai.train export --bundle {old}" in (before.reason or "")

    await asyncio.to_thread(train_command.main, ["export", "--bundle", str(old)])
    printed = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert printed["version"] == manifest["version"] and printed["onnx_file"] == "model.onnx"
    exported = json.loads((old / "manifest.json").read_text())
    assert exported["sha256"] == manifest["sha256"] and exported["version"] == manifest["version"]
    assert exported["onnx_sha256"] == sha256_hex((old / "model.onnx").read_bytes())

    after = FoodRecognizer(settings)
    await after.load()
    try:
        assert after.status == "ready", after.reason
        assert after.version == manifest["version"]
        result = await after.recognize(picture("bibimbap", random.Random(3)))
        assert result.status == "done" and result.candidates[0]["label"] == class_foods()["bibimbap"].food_name
    finally:
        await after.close()


@pytest.mark.parametrize("run_event_worker", [True, False], ids=["with the event worker", "API only"])
async def test_without_onnxruntime_photos_are_unavailable_and_say_why(
    bundle_dir: Path, settings: Any, auth_headers: Any, monkeypatch: pytest.MonkeyPatch, run_event_worker: bool,
) -> None:
    """The model is there, the runtime is not: /readyz, the upload endpoint and the reason say so."""
    from ai_conftest import start_app

    from fitjourney_common.testing.apps import asgi_client

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` raises ModuleNotFoundError
    monkeypatch.delitem(sys.modules, "fitjourney_ai.recognition.serving", raising=False)
    async for app in start_app(settings.model_copy(update={"food_model_uri": f"file://{bundle_dir}",
                                                           "run_event_worker": run_event_worker})):
        await app.state.runtime.recognizer.wait_loaded()
        async with asgi_client(app) as http:
            recognition = (await http.get("/readyz")).json()["capabilities"]["food_recognition"]
            assert recognition["available"] is False
            assert "onnxruntime is missing" in recognition["reason"] and "make food-model" in recognition["reason"]
            answer = await http.post("/api/v1/ai/food-recognition", headers=auth_headers,
                                     files={"image": ("x.jpg", picture("bibimbap", random.Random(1)), "image/jpeg")})
            assert answer.status_code == 503 and "onnxruntime" in answer.json()["detail"]


async def test_an_api_process_without_the_event_worker_builds_the_model_for_its_first_upload(
    bundle_dir: Path, settings: Any, auth_headers: Any,
) -> None:
    """As deployed (RUN_EVENT_WORKER=false) the API checks the bundle at start, so /readyz names the model, and
    builds its session only when a photo is uploaded to it; photos come in together, one build serves them."""
    from ai_conftest import start_app

    from fitjourney_common.testing.apps import asgi_client

    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    api_only = settings.model_copy(update={"food_model_uri": f"file://{bundle_dir}", "run_event_worker": False})
    async for app in start_app(api_only):
        recognizer = app.state.runtime.recognizer
        await recognizer.wait_loaded()
        async with asgi_client(app) as http:
            recognition = (await http.get("/readyz")).json()["capabilities"]["food_recognition"]
            assert recognition == {"available": True, "reason": None, "model_version": manifest["version"]}
            assert recognizer.classifier is None  # nothing built yet: no onnxruntime session held
            assert app.state.runtime.object_store is None  # it reads no stored photos: no S3 client either
            answers = await asyncio.gather(*(
                http.post("/api/v1/ai/food-recognition", headers=auth_headers,
                          files={"image": ("x.jpg", picture(kind, random.Random(7)), "image/jpeg")})
                for kind in CLASSES))
        for kind, answer in zip(CLASSES, answers, strict=True):
            assert answer.status_code == 200, answer.text
            assert answer.json()["candidates"][0]["label"] == class_foods()[kind].food_name
            assert answer.json()["model_version"] == manifest["version"]


async def test_concurrent_pictures_share_a_forward_pass_and_name_catalogue_foods(bundle_dir: Path) -> None:
    from ai_conftest import make_settings

    recognizer = FoodRecognizer(make_settings(food_model_uri=f"file://{bundle_dir}", food_batch_wait_ms=200))
    await recognizer.load()
    assert recognizer.status == "ready", recognizer.reason
    assert isinstance(recognizer.classifier, OnnxClassifier)
    try:
        rng = random.Random(5)
        results = await asyncio.gather(*(recognizer.recognize(picture(kind, rng)) for kind in CLASSES * 2))
    finally:
        await recognizer.close()
    assert recognizer.batcher is not None and recognizer.batcher.largest_batch > 1
    foods = {food.food_name: food for food in class_foods().values()}
    for kind, result in zip(CLASSES * 2, results, strict=True):
        assert result.status == "done"
        assert len(result.candidates) == 4  # top-5 of a 4-class model
        best = result.candidates[0]
        assert best["label"] == class_foods()[kind].food_name
        food = foods[best["label"]]
        assert best["source_id"] == f"SR28:{food.ndb_no}"
        assert best["grams"] == food.portion_grams
        assert best["kcal"] == pytest.approx(food.kcal_per_100g * food.portion_grams / 100, abs=0.1)


async def test_a_stored_photo_is_recognised_over_rabbitmq(bundle_dir: Path, settings: Any, wait_for: Any) -> None:
    """The consumer path: core's `food.photo_uploaded` → image from S3 → `food.photo_recognized` as core reads it."""
    from ai_conftest import start_app
    from ai_helpers import open_wire

    from fitjourney_common.events.envelope import new_event

    with_model = settings.model_copy(update={"food_model_uri": f"file://{bundle_dir}"})
    async for app in start_app(with_model):
        async for wire in open_wire(with_model):
            user_id, job_id = uuid.uuid4(), uuid.uuid4()
            key = f"food-photos/{user_id}/{job_id}.jpg"
            await app.state.runtime.store.put(key, picture("bibimbap", random.Random(7)), "image/jpeg")
            await wire.publish([new_event("food.photo_uploaded", {  # type: ignore[attr-defined]
                "job_id": job_id, "user_id": user_id, "version": 1, "object_key": key, "content_type": "image/jpeg",
                "after": {"status": "pending", "content_type": "image/jpeg"}}, user_id)])
            [answer] = await wait_for(lambda: wire.of("food.photo_recognized", job_id=job_id), timeout=30)
            result = FoodPhotoRecognized.model_validate(answer.data)
            assert result.status == "done"
            assert result.candidates[0].label == class_foods()["bibimbap"].food_name
            assert result.model_version == json.loads((bundle_dir / "manifest.json").read_text())["version"]
