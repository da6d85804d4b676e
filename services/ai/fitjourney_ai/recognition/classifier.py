"""What every runtime of the food model shares: photos → the evaluation view → logits → top-k classes.

A runtime only says how it turns a float32 batch [N, 3, S, S] into logits [N, classes]: ONNX Runtime for
serving (`serving.py`), torch for training's checks and the comparison bench (`vision.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from fitjourney_ai.recognition.bundle import Manifest
from fitjourney_ai.recognition.preprocess import eval_view


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def top_predictions(probabilities: np.ndarray, labels: list[str], top_k: int) -> list[list[Prediction]]:
    """Each row's `top_k` classes, most probable first."""
    k = min(top_k, probabilities.shape[1])
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return [[Prediction(labels[i], round(float(row[i]), 4)) for i in indices]
            for row, indices in zip(probabilities, order, strict=True)]


class Classifier(ABC):
    """A bundle's model; `predict` classifies a batch of photos in one forward pass."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest

    @abstractmethod
    def logits(self, batch: np.ndarray) -> np.ndarray:
        """float32 [N, 3, S, S] → float32 [N, classes]."""

    def preprocess(self, data: bytes) -> np.ndarray:
        m = self.manifest
        return eval_view(data, m.input_size, m.mean, m.std)

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        return softmax(self.logits(batch).astype(np.float64))

    def predict(self, images: list[bytes], top_k: int = 5) -> list[list[Prediction] | ValueError]:
        """One forward pass for every readable image; an unreadable one gets its ValueError instead."""
        views: list[np.ndarray] = []
        results: list[list[Prediction] | ValueError] = []
        positions: list[int] = []
        for data in images:
            try:
                views.append(self.preprocess(data))
                positions.append(len(results))
                results.append([])
            except ValueError as exc:
                results.append(exc)
        if views:
            probabilities = self.probabilities(np.stack(views))
            for position, prediction in zip(positions, top_predictions(probabilities, self.manifest.labels, top_k),
                                            strict=True):
                results[position] = prediction
        return results
