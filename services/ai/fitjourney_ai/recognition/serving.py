"""The food model as the service runs it: the bundle's ONNX export under ONNX Runtime, on the CPU.

No torch here: torch and torchvision (the `vision` extra, ~700 MB resident once imported) only train and
export the model. Imported only when a model is loaded; a server without onnxruntime says so instead.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from fitjourney_ai.recognition.bundle import BundleError, Manifest, parse_onnx_bundle
from fitjourney_ai.recognition.classifier import Classifier


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
    def __init__(self, manifest: Manifest, session: ort.InferenceSession) -> None:
        super().__init__(manifest)
        self.session = session
        self.input_name = session.get_inputs()[0].name

    @classmethod
    def from_bundle(cls, manifest_bytes: bytes, model: bytes, threads: int = 1) -> OnnxClassifier:
        manifest = parse_onnx_bundle(manifest_bytes, model)
        try:
            session = ort.InferenceSession(model, session_options(threads), providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own error types for a graph it cannot run
            raise BundleError(f"{manifest.onnx_file} is not a model ONNX Runtime can run: {exc}") from exc
        outputs = session.get_outputs()[0].shape
        if len(outputs) != 2 or outputs[1] != len(manifest.labels):
            raise BundleError(f"{manifest.onnx_file} gives {outputs[1:]} outputs for {len(manifest.labels)} labels")
        return cls(manifest, session)

    def logits(self, batch: np.ndarray) -> np.ndarray:
        [logits] = self.session.run(None, {self.input_name: np.ascontiguousarray(batch, dtype=np.float32)})
        return np.asarray(logits)
