"""Exporting a bundle's torch network to ONNX, the file the service runs (torch side: training's tools).

`make food-model` exports as it writes the bundle; `python -m fitjourney_ai.train export --bundle DIR`
adds the ONNX file to a bundle trained before the service ran ONNX Runtime. Either way the export is run
once under ONNX Runtime and compared with torch before the manifest names it.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from fitjourney_ai.recognition.bundle import ONNX, BundleError, Manifest, read_folder, sha256_hex, write_bundle
from fitjourney_ai.recognition.serving import session_options
from fitjourney_ai.recognition.vision import TorchClassifier

log = logging.getLogger(__name__)
# The exporter's graph passes log every initializer they merge at INFO: dozens of lines in training's log.
for _name in ("onnx_ir", "onnxscript"):
    logging.getLogger(_name).setLevel(logging.WARNING)
# Logits of the same inputs may differ by float rounding (a different order of additions); a wrong export
# differs by whole units.
MAX_LOGIT_DIFFERENCE = 1e-3
CHECK_IMAGES = 8


def export_onnx(model: nn.Module, input_size: int) -> tuple[bytes, dict[str, Any]]:
    """The network as one ONNX file (input `images` [batch, 3, S, S], output `logits`), any batch size,
    checked against torch on random inputs; with what was checked and by which versions."""
    model = model.eval().cpu()
    rng = np.random.default_rng(0)
    example = torch.from_numpy(rng.standard_normal((2, 3, input_size, input_size), dtype=np.float32))
    program = torch.onnx.export(
        model, (example,), dynamo=True, input_names=["images"], output_names=["logits"],
        dynamic_shapes=({0: torch.export.Dim("batch")},), external_data=False, verbose=False)
    assert program is not None  # no file given: the program is returned
    data: bytes = program.model_proto.SerializeToString()
    opset = next(o.version for o in program.model_proto.opset_import if o.domain in ("", "ai.onnx"))

    check = rng.standard_normal((CHECK_IMAGES, 3, input_size, input_size), dtype=np.float32)
    session = ort.InferenceSession(data, session_options(1), providers=["CPUExecutionProvider"])
    [exported] = session.run(None, {session.get_inputs()[0].name: check})
    with torch.inference_mode():
        expected = model(torch.from_numpy(check)).numpy()
    difference = float(np.abs(exported - expected).max())
    if not difference <= MAX_LOGIT_DIFFERENCE:
        raise BundleError(f"the ONNX export differs from torch by {difference} in the logits")
    return data, {
        "exporter": "torch.onnx.export(dynamo=True)", "opset": opset, "torch": torch.__version__,
        "onnxruntime": ort.__version__, "check_images": CHECK_IMAGES, "max_abs_logit_difference": difference,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
    }


def with_onnx(model: nn.Module, manifest: Manifest) -> tuple[bytes, Manifest]:
    data, export = export_onnx(model, manifest.input_size)
    log.info("exported %s to ONNX (opset %s, %.1f MB; logits within %.1e of torch's)", manifest.version,
             export["opset"], len(data) / 1e6, export["max_abs_logit_difference"])
    return data, manifest.model_copy(update={"onnx_file": ONNX, "onnx_sha256": sha256_hex(data),
                                             "onnx_export": export})


def export_bundle(folder: Path) -> Manifest:
    """Add (or redo) the ONNX file of the bundle in `folder`; the weights and the version stay as they are."""
    classifier = TorchClassifier.from_bundle(*read_folder(folder, "weights"))
    data, manifest = with_onnx(classifier.model, classifier.manifest)
    write_bundle(folder, manifest, None, data)
    return manifest
