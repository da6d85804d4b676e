"""torch side of recognition: the MobileNetV3 network, image preprocessing, and a loaded classifier.

Imported only when torch is installed (the `vision` extra); nothing here downloads weights.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision.models import mobilenet_v3_large, mobilenet_v3_small
from torchvision.transforms.v2 import functional as F

from fitjourney_ai.recognition.bundle import BundleError, Manifest, parse_bundle

ARCHITECTURES = {"mobilenet_v3_large": mobilenet_v3_large, "mobilenet_v3_small": mobilenet_v3_small}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Images are resized so their short side is this much larger than the crop, as at training time.
RESIZE_RATIO = 1.14
# Decompression-bomb guard for images read from the store or uploaded.
MAX_PIXELS = 40_000_000


def build_model(arch: str, num_classes: int) -> nn.Module:
    """A fresh network (weights=None: never fetched) with a classifier head for `num_classes`."""
    if arch not in ARCHITECTURES:
        raise BundleError(f"unknown architecture {arch!r}; one of {sorted(ARCHITECTURES)}")
    return ARCHITECTURES[arch](weights=None, num_classes=num_classes)


def decode_image(data: bytes, draft: int | None = None) -> Image.Image:
    """RGB image from bytes (any format Pillow reads); ValueError when it is not an image. With `draft`,
    a JPEG is decoded at a reduced scale still at least that size (much faster for big photos)."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        if draft:
            image.draft("RGB", (draft, draft))
        image.load()
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(f"not a readable image: {exc}") from exc
    return image.convert("RGB")


def square_uint8(data: bytes, side: int) -> torch.Tensor:
    """Short side resized to `side` by Pillow (JPEG draft mode decodes at reduced size), centre square."""
    image = decode_image(data, draft=side)
    scale = side / min(image.size)
    image = image.resize((max(side, round(image.width * scale)), max(side, round(image.height * scale))),
                         Image.Resampling.BILINEAR, reducing_gap=2.0)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    return torch.from_numpy(np.asarray(image, dtype=np.uint8).copy()).permute(2, 0, 1)


def to_tensor(data: bytes, size: int, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
    """The evaluation view, exactly as training stores and crops images: square of size x RESIZE_RATIO,
    centre crop `size`, scaled to [0, 1] and normalised."""
    square = square_uint8(data, round(size * RESIZE_RATIO))
    tensor = F.center_crop(square, [size, size])
    return F.normalize(tensor.float() / 255.0, list(mean), list(std))


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


class Classifier:
    """A bundle's network in eval mode; `predict` classifies a batch in one forward pass."""

    def __init__(self, manifest: Manifest, model: nn.Module) -> None:
        self.manifest = manifest
        self.model = model.eval()

    @classmethod
    def from_bundle(cls, manifest_bytes: bytes, weights: bytes) -> Classifier:
        manifest = parse_bundle(manifest_bytes, weights)
        model = build_model(manifest.arch, len(manifest.labels))
        try:
            state = torch.load(io.BytesIO(weights), map_location="cpu", weights_only=True)
            model.load_state_dict(state)
        except (RuntimeError, ValueError, KeyError) as exc:
            raise BundleError(f"weights do not fit {manifest.arch} with {len(manifest.labels)} classes: {exc}") from exc
        return cls(manifest, model)

    def preprocess(self, data: bytes) -> torch.Tensor:
        m = self.manifest
        return to_tensor(data, m.input_size, m.mean, m.std)

    @torch.inference_mode()
    def predict_tensors(self, batch: torch.Tensor, top_k: int = 5) -> list[list[Prediction]]:
        probabilities = torch.softmax(self.model(batch), dim=1)
        k = min(top_k, probabilities.shape[1])
        values, indices = probabilities.topk(k, dim=1)
        labels = self.manifest.labels
        return [[Prediction(labels[i], round(float(v), 4)) for v, i in zip(row_v, row_i, strict=True)]
                for row_v, row_i in zip(values.tolist(), indices.tolist(), strict=True)]

    def predict(self, images: list[bytes], top_k: int = 5) -> list[list[Prediction] | ValueError]:
        """One forward pass for every readable image; an unreadable one gets its ValueError instead."""
        tensors: list[torch.Tensor] = []
        results: list[list[Prediction] | ValueError] = []
        positions: list[int] = []
        for data in images:
            try:
                tensors.append(self.preprocess(data))
                positions.append(len(results))
                results.append([])
            except ValueError as exc:
                results.append(exc)
        if tensors:
            for position, prediction in zip(positions, self.predict_tensors(torch.stack(tensors), top_k),
                                            strict=True):
                results[position] = prediction
        return results
