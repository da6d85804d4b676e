"""The food recogniser a process holds: the bundle loaded once (or the reason it is unavailable), images
batched into forward passes, top-5 labels turned into catalogue foods with portion and nutrients."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fitjourney_ai.recognition.batcher import MicroBatcher
from fitjourney_ai.recognition.bundle import MANIFEST, WEIGHTS, BundleError, read_folder
from fitjourney_ai.recognition.food_classes import class_foods, unmapped
from fitjourney_ai.settings import AiSettings
from fitjourney_common.storage import create_object_store

if TYPE_CHECKING:
    from fitjourney_ai.recognition.vision import Classifier, Prediction

log = logging.getLogger(__name__)
TOP_K = 5
NO_TORCH = ("photo recognition is not installed on this server (torch is an optional extra: "
            "pip install -e 'services/ai[vision]', then make food-model)")


@dataclass
class Recognition:
    status: str  # done | unavailable | failed
    candidates: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    model_version: str | None = None


async def read_bundle(settings: AiSettings) -> tuple[bytes, bytes]:
    """Manifest and weights from FOOD_MODEL_URI: a folder (`file://…` or a path) or `s3://bucket/prefix`."""
    uri = settings.food_model_uri
    if uri.startswith("s3://"):
        store = create_object_store(settings.model_copy(update={"object_store_url": uri}))
        try:
            manifest = await store.get(MANIFEST)
            return manifest, await store.get(WEIGHTS)
        except Exception as exc:
            raise BundleError(f"no model bundle at {uri}: {exc!r}") from exc
    folder = Path(uri.removeprefix("file://"))
    return await asyncio.to_thread(read_folder, folder)


def candidates(predictions: list[Prediction]) -> list[dict[str, Any]]:
    foods = class_foods()
    result = []
    for prediction in predictions:
        food = foods[prediction.label]
        result.append({"label": food.food_name, "confidence": prediction.confidence, "grams": food.portion_grams,
                       "source_id": f"SR28:{food.ndb_no}", **food.nutrients_for(food.portion_grams)})
    return result


class FoodRecognizer:
    """`status` is "ready" or "unavailable" (with `reason`); `recognize` never raises for a bad image."""

    def __init__(self, settings: AiSettings) -> None:
        self.settings = settings
        self.status = "unavailable"
        self.reason: str | None = "not loaded yet"
        self.classifier: Classifier | None = None
        self.batcher: MicroBatcher[bytes, Any] | None = None

    @property
    def version(self) -> str | None:
        return self.classifier.manifest.version if self.classifier else None

    async def load(self) -> None:
        try:
            from fitjourney_ai.recognition.vision import Classifier
        except ModuleNotFoundError:
            self.reason = NO_TORCH
            log.warning("food recognition unavailable: %s", self.reason)
            return
        try:
            manifest_bytes, weights = await read_bundle(self.settings)
            classifier = await asyncio.to_thread(Classifier.from_bundle, manifest_bytes, weights)
            missing = unmapped(classifier.manifest.labels)
            if missing:
                raise BundleError(f"the model's classes {missing} map to no catalogue food")
        except BundleError as exc:
            self.reason = f"no usable food model ({exc}); train one with make food-model"
            log.warning("food recognition unavailable: %s", self.reason)
            return
        if self.settings.torch_threads:
            import torch
            torch.set_num_threads(self.settings.torch_threads)
        self.classifier = classifier
        self.batcher = MicroBatcher(classifier.predict, max_batch=self.settings.food_batch_size,
                                    max_wait=self.settings.food_batch_wait_ms / 1000)
        self.status, self.reason = "ready", None
        log.info("food model %s loaded (%d classes)", classifier.manifest.version, len(classifier.manifest.labels))

    async def close(self) -> None:
        if self.batcher is not None:
            await self.batcher.close()

    async def recognize(self, image: bytes) -> Recognition:
        if self.batcher is None:
            return Recognition("unavailable", reason=self.reason)
        result = await self.batcher.submit(image)
        if isinstance(result, ValueError):
            return Recognition("failed", reason=str(result)[:500], model_version=self.version)
        return Recognition("done", candidates(result[:TOP_K]), model_version=self.version)
