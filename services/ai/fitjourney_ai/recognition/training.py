"""Training a MobileNetV3 food classifier on a folder of class sub-folders, and writing its bundle.

Made for a CPU as much as a GPU: images are decoded once into memory at a small resolution, augmented
on whole batches with one affine warp (random scale, shift, flip) plus colour jitter, trained with
AdamW, label smoothing and a warm-up + cosine schedule over a number of epochs, shortened when a time budget
is given and the epochs would not fit in it (re-fitted after every epoch).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as nnf

from fitjourney_ai.recognition.bundle import Manifest, sha256_hex, write_bundle
from fitjourney_ai.recognition.export import with_onnx
from fitjourney_ai.recognition.preprocess import IMAGENET_MEAN, IMAGENET_STD, centre_crop, square, stored_side
from fitjourney_ai.recognition.vision import build_model

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}


@dataclass
class TrainConfig:
    data: Path
    arch: str = "mobilenet_v3_small"
    out: Path = Path(".data/models/food")
    test: Path | None = None
    init: Path | None = None
    input_size: int = 128
    epochs: int = 60
    max_minutes: float | None = None
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 0.05
    label_smoothing: float = 0.1
    warmup_epochs: float = 2.0
    val_fraction: float = 0.1
    min_scale: float = 0.35
    seed: int = 0
    threads: int | None = None


@dataclass
class Dataset:
    images: torch.Tensor  # uint8 [N, 3, S, S], S = stored_side(input_size)
    labels: torch.Tensor  # int64 [N]
    classes: list[str]
    files: list[str] = field(default_factory=list)


def list_images(folder: Path) -> tuple[list[str], list[tuple[Path, int]]]:
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise ValueError(f"{folder} needs at least two class sub-folders")
    items = [(path, index) for index, name in enumerate(classes)
             for path in sorted((folder / name).iterdir()) if path.suffix.lower() in IMAGE_SUFFIXES]
    return classes, items


def load_folder(folder: Path, input_size: int, classes: list[str] | None = None) -> Dataset:
    """Decode every image once, short side resized and centre-cropped to a square a bit larger than
    the input (room for random crops), kept as uint8."""
    found, items = list_images(folder)
    if classes is not None and found != classes:
        raise ValueError(f"{folder} has classes {found}, the model was trained on {classes}")
    side = stored_side(input_size)
    images = torch.empty((len(items), 3, side, side), dtype=torch.uint8)
    for i, (path, _label) in enumerate(items):
        images[i] = torch.from_numpy(square(path.read_bytes(), side))
    labels = torch.tensor([label for _path, label in items], dtype=torch.int64)
    return Dataset(images, labels, found, [str(path) for path, _ in items])


def stratified_split(labels: torch.Tensor, fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    train, held = [], []
    for label in labels.unique().tolist():
        indices = (labels == label).nonzero().flatten().tolist()
        rng.shuffle(indices)
        cut = max(1, round(len(indices) * fraction))
        held.extend(indices[:cut])
        train.extend(indices[cut:])
    return torch.tensor(sorted(train)), torch.tensor(sorted(held))


def normalise(batch: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(IMAGENET_MEAN, device=batch.device).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=batch.device).view(1, 3, 1, 1)
    return (batch - mean) / std


def augment(batch: torch.Tensor, size: int, min_scale: float) -> torch.Tensor:
    """Random-resized-crop, flip and colour jitter for a whole uint8 batch in a few tensor ops."""
    n = batch.shape[0]
    images = batch.float() / 255.0
    area = torch.empty(n).uniform_(min_scale, 1.0)
    aspect = torch.exp(torch.empty(n).uniform_(math.log(3 / 4), math.log(4 / 3)))
    sx = torch.sqrt(area * aspect).clamp(max=1.0)
    sy = torch.sqrt(area / aspect).clamp(max=1.0)
    tx = (torch.rand(n) * 2 - 1) * (1 - sx)
    ty = (torch.rand(n) * 2 - 1) * (1 - sy)
    flip = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2] = sx * flip, tx
    theta[:, 1, 1], theta[:, 1, 2] = sy, ty
    grid = nnf.affine_grid(theta.to(images.device), [n, 3, size, size], align_corners=False)
    images = nnf.grid_sample(images, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    brightness = torch.empty(n, 1, 1, 1, device=images.device).uniform_(0.75, 1.25)
    contrast = torch.empty(n, 1, 1, 1, device=images.device).uniform_(0.75, 1.25)
    saturation = torch.empty(n, 1, 1, 1, device=images.device).uniform_(0.7, 1.3)
    images = images * brightness
    mean = images.mean(dim=(1, 2, 3), keepdim=True)
    images = (images - mean) * contrast + mean
    grey = images.mean(dim=1, keepdim=True)
    images = (images - grey) * saturation + grey
    return normalise(images.clamp(0, 1))


def centre_view(batch: torch.Tensor, size: int) -> torch.Tensor:
    """The evaluation view of stored images: centre crop `size`, normalised (as the service sees a photo:
    `preprocess.eval_view`)."""
    return normalise(centre_crop(batch, size).float() / 255.0)


@torch.inference_mode()
def evaluate(model: nn.Module, data: Dataset, indices: torch.Tensor, size: int, device: torch.device,
             batch_size: int = 128) -> dict[str, Any]:
    """Top-1, top-5, per-class accuracy and the confusion matrix (rows: true class, columns: predicted)."""
    model.eval()
    classes = len(data.classes)
    confusion = torch.zeros(classes, classes, dtype=torch.int64)
    top5_hits = 0
    for start in range(0, len(indices), batch_size):
        chunk = indices[start:start + batch_size]
        logits = model(centre_view(data.images[chunk], size).to(device)).cpu()
        truth = data.labels[chunk]
        confusion += torch.bincount(truth * classes + logits.argmax(1), minlength=classes * classes).view(
            classes, classes)
        top5 = logits.topk(min(5, classes), dim=1).indices
        top5_hits += int((top5 == truth.unsqueeze(1)).any(dim=1).sum())
    total = max(1, len(indices))
    per_class = (confusion.diag().float() / confusion.sum(1).clamp(min=1).float()).tolist()
    return {
        "images": len(indices), "top1": round(float(confusion.diag().sum()) / total, 4),
        "top5": round(top5_hits / total, 4), "per_class_top1": dict(zip(data.classes, per_class, strict=True)),
        "confusion_matrix": confusion.tolist(),
    }


@torch.no_grad()
def recalibrate_batchnorm(model: nn.Module, data: Dataset, indices: torch.Tensor, size: int, device: torch.device,
                          batch_size: int = 128) -> None:
    """Recompute BatchNorm statistics as an exact average over the training images' evaluation view.

    torchvision's MobileNetV3 updates running statistics with momentum 0.01, so after a short training
    run they still lag far behind the weights and evaluation collapses onto one class; this fixes that.
    """
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    model.train()
    for start in range(0, len(indices), batch_size):
        model(centre_view(data.images[indices[start:start + batch_size]], size).to(device))
    for m, momentum in zip(norms, saved, strict=True):
        m.momentum = momentum
    model.eval()


def _load_init(model: nn.Module, path: Path) -> int:
    """Copy every tensor of a local weights file whose name and shape fit (the head usually does not)."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    own = model.state_dict()
    fitting = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(fitting, strict=False)
    return len(fitting)


def epochs_within(budget_seconds: float, elapsed_seconds: float, epoch_seconds: float, done: int,
                  wanted: int) -> int:
    """Epochs in all (done ones included, at most `wanted`) that fit the budget at `epoch_seconds` an epoch,
    with 5 % to spare; at least two, and never fewer than are done."""
    more = int((budget_seconds - elapsed_seconds) / (epoch_seconds * 1.05))
    return max(done, min(2, wanted), min(wanted, done + more))


def lr_at(step: int, total: int, warmup: int, peak: float) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def train(config: TrainConfig) -> tuple[Path, Manifest]:
    """Train, evaluate on the held-out split (and on `config.test` when given), export to ONNX, write the
    bundle."""
    torch.manual_seed(config.seed)
    random.seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    started = time.monotonic()
    data = load_folder(config.data, config.input_size)
    train_idx, val_idx = stratified_split(data.labels, config.val_fraction, config.seed)
    load_seconds = time.monotonic() - started
    log.info("loaded %d images of %d classes in %.1fs; training on %s", len(data.labels), len(data.classes),
             load_seconds, device)

    model = build_model(config.arch, len(data.classes))
    initialised = _load_init(model, config.init) if config.init else 0
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    criterion = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    steps_per_epoch = max(1, len(train_idx) // config.batch_size)
    total_steps, warmup = config.epochs * steps_per_epoch, round(config.warmup_epochs * steps_per_epoch)
    step, epoch, history = 0, 0, []
    paces: list[float] = []
    train_started = time.monotonic()
    while step < total_steps:
        model.train()
        epoch_started = time.monotonic()
        order = train_idx[torch.randperm(len(train_idx))]
        losses = []
        for start in range(0, steps_per_epoch * config.batch_size, config.batch_size):
            chunk = order[start:start + config.batch_size]
            inputs = augment(data.images[chunk], config.input_size, config.min_scale).to(device)
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, total_steps, warmup, config.lr)
            loss = criterion(model(inputs), data.labels[chunk].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            step += 1
        epoch += 1
        epoch_seconds = time.monotonic() - epoch_started
        # A random 512 training images estimate the statistics well enough, at a fraction of an epoch.
        recalibrate_batchnorm(model, data, train_idx[torch.randperm(len(train_idx))[:512]], config.input_size, device)
        val = evaluate(model, data, val_idx, config.input_size, device) if len(val_idx) else {}
        history.append({"epoch": epoch, "loss": round(sum(losses) / len(losses), 4), "val_top1": val.get("top1"),
                        "seconds": round(epoch_seconds, 1)})
        log.info("epoch %d: loss %.3f, held-out top-1 %s (%.1fs)", epoch, history[-1]["loss"], val.get("top1"),
                 epoch_seconds)
        if config.max_minutes:
            # Re-fit the schedule to the time budget after every epoch, at the pace of the last two (their
            # evaluation included): on a shared machine the pace changes with the other jobs' load.
            paces.append(time.monotonic() - epoch_started)
            planned = epochs_within(config.max_minutes * 60, time.monotonic() - started,
                                    sum(paces[-2:]) / len(paces[-2:]), epoch, config.epochs)
            if planned * steps_per_epoch != total_steps:
                log.info("at %.0fs an epoch, %d epochs in all fit in %.0f min", paces[-1], planned, config.max_minutes)
                total_steps, warmup = planned * steps_per_epoch, min(warmup, steps_per_epoch)
    train_seconds = time.monotonic() - train_started

    metrics: dict[str, Any] = {"held_out": evaluate(model, data, val_idx, config.input_size, device)}
    if config.test is not None:
        test_data = load_folder(config.test, config.input_size, data.classes)
        metrics["test"] = evaluate(model, test_data, torch.arange(len(test_data.labels)), config.input_size, device)
    model.cpu()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    weights = buffer.getvalue()
    digest = sha256_hex(weights)
    now = dt.datetime.now(dt.UTC)
    manifest = Manifest(
        version=f"{config.arch}-{now:%Y%m%dT%H%M%SZ}-{digest[:8]}", arch=config.arch, labels=data.classes,
        input_size=config.input_size, mean=IMAGENET_MEAN, std=IMAGENET_STD, sha256=digest, metrics=metrics,
        training={
            "data": str(config.data), "images": len(train_idx), "held_out_images": len(val_idx),
            "epochs": epoch, "epochs_requested": config.epochs, "max_minutes": config.max_minutes,
            "seconds": round(train_seconds, 1), "load_seconds": round(load_seconds, 1),
            "device": str(device), "threads": torch.get_num_threads(), "batch_size": config.batch_size,
            "lr": config.lr, "weight_decay": config.weight_decay, "label_smoothing": config.label_smoothing,
            "min_scale": config.min_scale, "init": str(config.init) if config.init else None,
            "init_tensors": initialised, "torch": torch.__version__, "history": history,
        },
        created_at=now.isoformat(),
    )
    onnx, manifest = with_onnx(model, manifest)
    return write_bundle(config.out, manifest, weights, onnx), manifest
