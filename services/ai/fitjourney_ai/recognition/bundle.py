"""The food-model bundle: torch weights (training's), the same network exported to ONNX (what the service
runs) and a manifest (labels, input size, normalisation, metrics, version, each file's sha256), read from a
folder or an object store (`FOOD_MODEL_URI`) and checked before it is used."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

MANIFEST = "manifest.json"
WEIGHTS = "weights.pt"
ONNX = "model.onnx"
FORMAT = 1
EXPORT_COMMAND = "python -m fitjourney_ai.train export --bundle"


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
    # The ONNX export of the weights above (absent in bundles written before the service ran ONNX Runtime:
    # `python -m fitjourney_ai.train export` adds it); `onnx_export` says how it was made and checked.
    onnx_file: str | None = None
    onnx_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    onnx_export: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    training: dict[str, Any] = Field(default_factory=dict)
    created_at: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_bundle(folder: Path, manifest: Manifest, weights: bytes | None, onnx: bytes | None = None) -> Path:
    """Write the weights (None: already there) and the ONNX model, then the manifest naming their sha256
    (a reader never sees a half bundle)."""
    folder.mkdir(parents=True, exist_ok=True)
    if weights is not None:
        if manifest.sha256 != sha256_hex(weights):
            raise BundleError("manifest sha256 does not match the weights")
        (folder / manifest.weights_file).write_bytes(weights)
    if onnx is not None:
        if manifest.onnx_file is None or manifest.onnx_sha256 != sha256_hex(onnx):
            raise BundleError("manifest onnx_sha256 does not match the ONNX model")
        (folder / manifest.onnx_file).write_bytes(onnx)
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(manifest.model_dump_json(indent=1), "utf-8")
    tmp.replace(folder / MANIFEST)
    return folder


def parse_manifest(manifest_bytes: bytes) -> Manifest:
    try:
        manifest = Manifest.model_validate(json.loads(manifest_bytes))
    except ValueError as exc:
        raise BundleError(f"invalid {MANIFEST}: {exc}") from exc
    if manifest.format != FORMAT:
        raise BundleError(f"bundle format {manifest.format} is not {FORMAT}")
    return manifest


def parse_bundle(manifest_bytes: bytes, weights: bytes) -> Manifest:
    """The manifest, once the torch weights are proven to be the ones it names."""
    manifest = parse_manifest(manifest_bytes)
    actual = sha256_hex(weights)
    if actual != manifest.sha256:
        raise BundleError(f"weights sha256 {actual} does not match the manifest's {manifest.sha256}")
    return manifest


def parse_onnx_bundle(manifest_bytes: bytes, model: bytes) -> Manifest:
    """The manifest, once the ONNX model is proven to be the one it names."""
    manifest = parse_manifest(manifest_bytes)
    actual = sha256_hex(model)
    if actual != manifest.onnx_sha256:
        raise BundleError(f"{manifest.onnx_file} sha256 {actual} does not match the manifest's "
                          f"{manifest.onnx_sha256}")
    return manifest


def file_named(manifest_bytes: bytes, kind: str, where: str) -> str:
    """The bundle's file of `kind` ("weights" or "onnx") as its manifest names it; BundleError with what to
    do when a bundle from before the ONNX export has none."""
    try:
        fields = json.loads(manifest_bytes)
        name = fields.get(f"{kind}_file", WEIGHTS if kind == "weights" else None)
    except (ValueError, AttributeError) as exc:
        raise BundleError(f"invalid {MANIFEST}: {exc}") from exc
    if not name:
        raise BundleError(f"the bundle in {where} predates the ONNX export: add it with {EXPORT_COMMAND} {where}")
    return Path(str(name)).name


def read_folder(folder: Path, kind: str = "weights") -> tuple[bytes, bytes]:
    """The manifest and the bundle's file of `kind` ("weights": torch's, "onnx": the service's)."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(f"no {MANIFEST} in {folder}")
    manifest_bytes = manifest_path.read_bytes()
    path = folder / file_named(manifest_bytes, kind, str(folder))
    if not path.is_file():
        raise BundleError(f"no {path.name} in {folder}")
    return manifest_bytes, path.read_bytes()
