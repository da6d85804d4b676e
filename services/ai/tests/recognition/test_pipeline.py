"""The photo pipeline end to end on a model trained here, on images made here: train → bundle → load →
classify far above chance → candidates that name catalogue foods, in batches, and over RabbitMQ."""

from __future__ import annotations

import asyncio
import io
import json
import random
import uuid
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch", reason="photo recognition needs the vision extra (make test installs it)")

from PIL import Image, ImageDraw

from fitjourney_ai.recognition.bundle import BundleError, read_folder
from fitjourney_ai.recognition.food_classes import class_foods
from fitjourney_ai.recognition.recognizer import FoodRecognizer
from fitjourney_ai.recognition.training import TrainConfig, train
from fitjourney_ai.recognition.vision import Classifier
from fitjourney_common.events.contracts import FoodPhotoRecognized

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


def test_the_loaded_model_classifies_new_pictures_far_above_chance(bundle_dir: Path) -> None:
    classifier = Classifier.from_bundle(*read_folder(bundle_dir))
    rng = random.Random(99)
    truth = [kind for kind in CLASSES for _ in range(10)]
    results = classifier.predict([picture(kind, rng) for kind in truth])
    hits = sum(1 for kind, result in zip(truth, results, strict=True)
               if not isinstance(result, ValueError) and result[0].label == kind)
    assert hits / len(truth) >= 0.8
    assert isinstance(classifier.predict([b"not an image"])[0], ValueError)


def test_a_changed_weights_file_is_refused(bundle_dir: Path, tmp_path: Path) -> None:
    manifest, weights = read_folder(bundle_dir)
    with pytest.raises(BundleError, match="sha256"):
        Classifier.from_bundle(manifest, weights[:-1] + bytes([weights[-1] ^ 1]))


async def test_concurrent_pictures_share_a_forward_pass_and_name_catalogue_foods(bundle_dir: Path) -> None:
    from ai_conftest import make_settings

    recognizer = FoodRecognizer(make_settings(food_model_uri=f"file://{bundle_dir}", food_batch_wait_ms=200))
    await recognizer.load()
    assert recognizer.status == "ready", recognizer.reason
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
