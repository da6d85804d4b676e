"""The food-model bundle: weights plus manifest (labels, input size, normalisation, metrics, version,
sha256), read from a folder or an object store (`FOOD_MODEL_URI`) and checked before it is used."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

MANIFEST = "manifest.json"
WEIGHTS = "weights.pt"
FORMAT = 1


class BundleError(Exception):
    """The bundle is missing, incomplete, corrupt or does not fit the catalogue."""


class Manifest(BaseModel):
    format: int = FORMAT
    version: str
    arch: str
    labels: list[str] = Field(min_length=2)
    input_size: int = Field(ge=32, le=1024)
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    weights_file: str = WEIGHTS
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    metrics: dict[str, Any] = Field(default_factory=dict)
    training: dict[str, Any] = Field(default_factory=dict)
    created_at: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_bundle(folder: Path, manifest: Manifest, weights: bytes) -> Path:
    """Write the weights, then the manifest naming their sha256 (a reader never sees a half bundle)."""
    folder.mkdir(parents=True, exist_ok=True)
    if manifest.sha256 != sha256_hex(weights):
        raise BundleError("manifest sha256 does not match the weights")
    (folder / manifest.weights_file).write_bytes(weights)
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(manifest.model_dump_json(indent=1), "utf-8")
    tmp.replace(folder / MANIFEST)
    return folder


def parse_bundle(manifest_bytes: bytes, weights: bytes) -> Manifest:
    """The manifest, once the weights are proven to be the ones it names."""
    try:
        manifest = Manifest.model_validate(json.loads(manifest_bytes))
    except ValueError as exc:
        raise BundleError(f"invalid {MANIFEST}: {exc}") from exc
    if manifest.format != FORMAT:
        raise BundleError(f"bundle format {manifest.format} is not {FORMAT}")
    actual = sha256_hex(weights)
    if actual != manifest.sha256:
        raise BundleError(f"weights sha256 {actual} does not match the manifest's {manifest.sha256}")
    return manifest


def read_folder(folder: Path) -> tuple[bytes, bytes]:
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(f"no {MANIFEST} in {folder}")
    manifest_bytes = manifest_path.read_bytes()
    try:
        weights_file = json.loads(manifest_bytes).get("weights_file", WEIGHTS)
    except ValueError as exc:
        raise BundleError(f"invalid {MANIFEST}: {exc}") from exc
    weights_path = folder / Path(weights_file).name
    if not weights_path.is_file():
        raise BundleError(f"no {weights_path.name} in {folder}")
    return manifest_bytes, weights_path.read_bytes()
