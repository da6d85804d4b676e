"""The food recogniser a process holds: the bundle loaded once (or the reason it is unavailable), images
batched into forward passes, top-5 labels turned into catalogue foods with portion and nutrients.

A process that consumes photo events loads the model at start. An API process without the event worker only
needs it for direct uploads: it checks the bundle at start and builds the ONNX Runtime session on the first
upload, so until then it holds neither onnxruntime nor the session (29 + 26 MiB resident)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import importlib.util
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fitjourney_ai.recognition.batcher import MicroBatcher
from fitjourney_ai.recognition.bundle import MANIFEST, BundleError, Manifest, file_named, parse_onnx_bundle, read_folder
from fitjourney_ai.recognition.food_classes import class_foods, unmapped
from fitjourney_ai.recognition.malloc import pin_thresholds
from fitjourney_ai.settings import AiSettings
from fitjourney_common.storage import create_object_store

if TYPE_CHECKING:
    from fitjourney_ai.recognition.classifier import Classifier, Prediction

log = logging.getLogger(__name__)
TOP_K = 5
NO_RUNTIME = ("photo recognition is not installed on this server (onnxruntime is missing: "
              "pip install -e services/ai, then make food-model)")


@dataclass
class Recognition:
    status: str  # done | unavailable | failed
    candidates: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    model_version: str | None = None


async def read_bundle(settings: AiSettings) -> tuple[bytes, bytes]:
    """Manifest and ONNX model from FOOD_MODEL_URI: a folder (`file://…` or a path) or `s3://bucket/prefix`."""
    uri = settings.food_model_uri
    if uri.startswith("s3://"):
        store = create_object_store(settings.model_copy(update={"object_store_url": uri}))
        try:
            manifest = await store.get(MANIFEST)
        except Exception as exc:
            raise BundleError(f"no model bundle at {uri}: {exc!r}") from exc
        name = file_named(manifest, "onnx", uri)
        try:
            return manifest, await store.get(name)
        except Exception as exc:
            raise BundleError(f"no {name} at {uri}: {exc!r}") from exc
    folder = Path(uri.removeprefix("file://"))
    return await asyncio.to_thread(read_folder, folder, "onnx")


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
        self.status = "loading"
        self.reason: str | None = "the food model is still loading"
        self.manifest: Manifest | None = None
        self.classifier: Classifier | None = None
        self.batcher: MicroBatcher[bytes, Any] | None = None
        self._loaded = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._building = asyncio.Lock()
        # The photos' work (check, decode, forward pass) and the runtime's import and build in one thread: one
        # malloc arena for all of it instead of one per thread of the default pool (services/ai/README.md).
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="food-model")

    async def run(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, functools.partial(function, *args, **kwargs))

    def start_loading(self, *, build_session: bool = True) -> None:
        """Load in the background: importing onnxruntime and reading the model takes a while, and the service
        (calories, trends, insights) must not wait for it. Photos that arrive meanwhile wait.
        `build_session=False` (an API): only check the bundle now; the first photo builds the session, and
        large blocks are unmapped when freed (`malloc.pin_thresholds`: 8-9 MiB less at the API's peak)."""
        if not build_session:
            pin_thresholds()
        self._task = asyncio.create_task(self._load_and_signal(self.load if build_session else self.check),
                                         name="food-model-load")

    async def _load_and_signal(self, load: Callable[[], Awaitable[None]]) -> None:
        try:
            await load()
        except Exception as exc:
            log.exception("food model could not be loaded")
            self.status, self.reason = "unavailable", f"the food model failed to load: {exc!r}"[:500]
        finally:
            self._loaded.set()

    @property
    def version(self) -> str | None:
        return self.manifest.version if self.manifest else None

    def _unusable(self, exc: BundleError) -> None:
        self.status = "unavailable"
        self.reason = f"no usable food model ({exc}); train one with make food-model"
        log.warning("food recognition unavailable: %s", self.reason)

    async def check(self) -> None:
        """What `load` checks, without importing onnxruntime or building a session: the runtime is installed,
        the ONNX file is the one the manifest names, every label maps to a catalogue food."""
        if importlib.util.find_spec("onnxruntime") is None:
            self.status, self.reason = "unavailable", NO_RUNTIME
            log.warning("food recognition unavailable: %s", self.reason)
            return
        try:
            manifest_bytes, model = await read_bundle(self.settings)
            manifest = await asyncio.to_thread(parse_onnx_bundle, manifest_bytes, model)
            missing = unmapped(manifest.labels)
            if missing:
                raise BundleError(f"the model's classes {missing} map to no catalogue food")
        except BundleError as exc:
            self._unusable(exc)
            return
        self.manifest = manifest
        self.status, self.reason = "ready", None
        log.info("food model %s checked; its session is built for the first photo", manifest.version)

    async def load(self, *, compact: bool = False) -> None:
        """`compact`: the classifier gives back its memory after each batch (OnnxClassifier), as an API
        building the session for direct uploads does."""
        try:
            # In a thread, so the event loop keeps serving while the runtime's libraries load.
            serving = await self.run(importlib.import_module, "fitjourney_ai.recognition.serving")
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] != "onnxruntime":
                raise
            self.status, self.reason = "unavailable", NO_RUNTIME
            log.warning("food recognition unavailable: %s", self.reason)
            return
        try:
            manifest_bytes, model = await read_bundle(self.settings)
            classifier: Classifier = await self.run(
                serving.OnnxClassifier.from_bundle, manifest_bytes, model, self.settings.food_inference_threads,
                compact=compact)
            missing = unmapped(classifier.manifest.labels)
            if missing:
                raise BundleError(f"the model's classes {missing} map to no catalogue food")
        except BundleError as exc:
            self._unusable(exc)
            return
        self.manifest, self.classifier = classifier.manifest, classifier
        self.batcher = MicroBatcher(classifier.predict, max_batch=self.settings.food_batch_size,
                                    max_wait=self.settings.food_batch_wait_ms / 1000, executor=self.executor)
        self.status, self.reason = "ready", None
        log.info("food model %s loaded (%d classes)", classifier.manifest.version, len(classifier.manifest.labels))

    async def _build_for_first_photo(self) -> None:
        async with self._building:  # photos arriving together wait for one build
            if self.batcher is None and self.status == "ready":
                await self._load_and_signal(functools.partial(self.load, compact=True))

    async def wait_loaded(self) -> None:
        if self._task is not None:
            await self._loaded.wait()

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.batcher is not None:
            await self.batcher.close()
        self.executor.shutdown(wait=False)

    async def recognize(self, image: bytes) -> Recognition:
        await self.wait_loaded()
        if self.batcher is None and self.status == "ready":
            await self._build_for_first_photo()
        if self.batcher is None:
            return Recognition("unavailable", reason=self.reason)
        result = await self.batcher.submit(image)
        if isinstance(result, ValueError):
            return Recognition("failed", reason=str(result)[:500], model_version=self.version)
        return Recognition("done", candidates(result[:TOP_K]), model_version=self.version)
