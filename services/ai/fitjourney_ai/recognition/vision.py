"""torch side of recognition: the MobileNetV3 network and a classifier running a bundle's torch weights.

The service serves the ONNX export (`serving.py`); this one trains, exports, and is the reference the
ONNX model is compared with. Imported only when torch is installed (the `vision` extra); nothing here
downloads weights.
"""

from __future__ import annotations

import io

import numpy as np
import torch
from torch import nn
from torchvision.models import mobilenet_v3_large, mobilenet_v3_small

from fitjourney_ai.recognition.bundle import BundleError, Manifest, parse_bundle
from fitjourney_ai.recognition.classifier import Classifier

ARCHITECTURES = {"mobilenet_v3_large": mobilenet_v3_large, "mobilenet_v3_small": mobilenet_v3_small}


def build_model(arch: str, num_classes: int) -> nn.Module:
    """A fresh network (weights=None: never fetched) with a classifier head for `num_classes`."""
    if arch not in ARCHITECTURES:
        raise BundleError(f"unknown architecture {arch!r}; one of {sorted(ARCHITECTURES)}")
    return ARCHITECTURES[arch](weights=None, num_classes=num_classes)


class TorchClassifier(Classifier):
    """A bundle's torch network in eval mode."""

    def __init__(self, manifest: Manifest, model: nn.Module) -> None:
        super().__init__(manifest)
        self.model = model.eval()

    @classmethod
    def from_bundle(cls, manifest_bytes: bytes, weights: bytes) -> TorchClassifier:
        manifest = parse_bundle(manifest_bytes, weights)
        model = build_model(manifest.arch, len(manifest.labels))
        try:
            state = torch.load(io.BytesIO(weights), map_location="cpu", weights_only=True)
            model.load_state_dict(state)
        except (RuntimeError, ValueError, KeyError) as exc:
            raise BundleError(f"weights do not fit {manifest.arch} with {len(manifest.labels)} classes: {exc}") from exc
        return cls(manifest, model)

    @torch.inference_mode()
    def logits(self, batch: np.ndarray) -> np.ndarray:
        return self.model(torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))).numpy()  # type: ignore[no-any-return]
