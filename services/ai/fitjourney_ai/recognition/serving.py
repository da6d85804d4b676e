"""The food model as the service runs it: the bundle's ONNX export under ONNX Runtime, on the CPU.

No torch here: torch and torchvision (the `vision` extra, ~700 MB resident once imported) only train and
export the model. Imported only when a model is loaded; a server without onnxruntime says so instead.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from fitjourney_ai.recognition.bundle import BundleError, Manifest, parse_onnx_bundle
from fitjourney_ai.recognition.classifier import Classifier, Prediction
from fitjourney_ai.recognition.malloc import release_freed_memory


def session_options(threads: int) -> ort.SessionOptions:
    """`threads` for the operators of one forward pass, one pass at a time: the service runs one batch at
    a time in one worker thread, and the machine's other cores serve HTTP and the other consumers."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # A memory plan is kept per input shape, and batches come in every size from 1 to FOOD_BATCH_SIZE:
    # without the plans 8 MiB less resident after batches of 1..16, and no slower (services/ai/README.md).
    options.enable_mem_pattern = False
    options.log_severity_level = 3  # errors only: no per-session warnings in the service log
    return options


class OnnxClassifier(Classifier):
    """`compact`: after each batch, the CPU arena gives back what the pass used (ONNX Runtime's arena shrinkage)
    and the C heap its free pages (about 2 ms of CPU a batch): for ai's API, which serves direct uploads now and
    then beside its 200 MiB target. The worker, classifying photo after photo, keeps its arena."""

    def __init__(self, manifest: Manifest, session: ort.InferenceSession, *, compact: bool = False) -> None:
        super().__init__(manifest)
        self.session = session
        self.input_name = session.get_inputs()[0].name
        self.compact = compact
        self.run_options = ort.RunOptions()
        if compact:
            self.run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    @classmethod
    def from_bundle(cls, manifest_bytes: bytes, model: bytes, threads: int = 1, *,
                    compact: bool = False) -> OnnxClassifier:
        manifest = parse_onnx_bundle(manifest_bytes, model)
        try:
            session = ort.InferenceSession(model, session_options(threads), providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own error types for a graph it cannot run
            raise BundleError(f"{manifest.onnx_file} is not a model ONNX Runtime can run: {exc}") from exc
        # The Python session keeps the model's bytes to rebuild itself on another provider (onnxruntime's own
        # TODO says so): 6.4 MB held for nothing on the CPU provider. Without them it cannot rebuild, so no
        # fallback either (there is none to fall back to).
        session.disable_fallback()
        session._model_bytes = None
        outputs = session.get_outputs()[0].shape
        if len(outputs) != 2 or outputs[1] != len(manifest.labels):
            raise BundleError(f"{manifest.onnx_file} gives {outputs[1:]} outputs for {len(manifest.labels)} labels")
        release_freed_memory()  # the build's scratch (graph optimisation, the parsed model): 7-8 MiB
        return cls(manifest, session, compact=compact)

    def logits(self, batch: np.ndarray) -> np.ndarray:
        [logits] = self.session.run(None, {self.input_name: np.ascontiguousarray(batch, dtype=np.float32)},
                                    self.run_options)
        return np.asarray(logits)

    def predict(self, images: list[bytes], top_k: int = 5) -> list[list[Prediction] | ValueError]:
        try:
            return super().predict(images, top_k)
        finally:
            if self.compact:
                release_freed_memory()
