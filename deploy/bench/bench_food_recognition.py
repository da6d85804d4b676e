"""Food-photo recognition on this CPU: accuracy on the test photos, load time, memory, latency, throughput.

    .venv/bin/python deploy/bench/bench_food_recognition.py [--bundle .data/models/food] [--images DIR]
        [--n 100] [--batch-sizes 1,8,16,32] [--threads 0]

Loads the bundle `make food-model` wrote the way ai's worker does (`FoodRecognizer.load()` with
FOOD_MODEL_URI: torch imported, sha256 checked, labels mapped to catalogue foods), then:

- top-1 / top-5 and the confusion matrix over every photo of `--images` (default
  ../shared/data/food-photos/test, class sub-folders), classified through the service's own preprocessing;
- model load time (torch import, then bundle read + check + network build), and the process's RSS before
  torch, after loading the model and at its peak after the batches (what the worker holds);
- per-image latency (decode + preprocess + forward, one image per call: p50/p95) over `--n` photos taken
  from every class, and images/s when classifying batches of each `--batch-sizes`.

Skips with a message when there is no bundle or torch is missing. Prints one JSON line and appends it to
deploy/bench/results/food_recognition.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import record, summary_ms

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {".jpg", ".jpeg", ".png"}


def rss_mb() -> float:
    """Resident set size now, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def labelled_photos(folder: Path) -> list[tuple[Path, str]]:
    return [(path, cls.name) for cls in sorted(p for p in folder.iterdir() if p.is_dir())
            for path in sorted(cls.iterdir()) if path.suffix.lower() in SUFFIXES]


def accuracy(classifier: Any, photos: list[tuple[Path, str]], batch_size: int = 32) -> dict[str, Any]:
    """Top-1, top-5, per-class top-1 and the most frequent confusions (true → predicted)."""
    labels = classifier.manifest.labels
    confusion = {true: dict.fromkeys(labels, 0) for true in labels}
    top1 = top5 = 0
    for start in range(0, len(photos), batch_size):
        chunk = photos[start:start + batch_size]
        predictions = classifier.predict([path.read_bytes() for path, _ in chunk], top_k=5)
        for (_path, truth), prediction in zip(chunk, predictions, strict=True):
            if isinstance(prediction, ValueError):
                continue
            names = [p.label for p in prediction]
            top1 += names[0] == truth
            top5 += truth in names
            confusion[truth][names[0]] += 1
    pairs = sorted(((n, t, p) for t, row in confusion.items() for p, n in row.items() if t != p), reverse=True)
    return {
        "images": len(photos), "top1": round(top1 / len(photos), 4), "top5": round(top5 / len(photos), 4),
        "per_class_top1": {t: round(row[t] / max(1, sum(row.values())), 2) for t, row in confusion.items()},
        "top_confusions": [f"{t} -> {p}: {n}" for n, t, p in pairs[:8]],
        "confusion_matrix": [[confusion[t][p] for p in labels] for t in labels],
    }


async def load_like_the_worker(bundle: Path, threads: int) -> tuple[Any, dict[str, float]]:
    from fitjourney_ai.recognition.recognizer import FoodRecognizer
    from fitjourney_ai.settings import AiSettings

    before = rss_mb()
    started = time.perf_counter()
    import torch  # noqa: F401 - timed apart: the worker pays it once, whatever the model

    torch_seconds = time.perf_counter() - started
    with_torch = rss_mb()
    recognizer = FoodRecognizer(AiSettings(food_model_uri=f"file://{bundle}", torch_threads=threads))
    started = time.perf_counter()
    await recognizer.load()
    load_seconds = time.perf_counter() - started
    if recognizer.classifier is None:
        sys.exit(f"the bundle in {bundle} is not usable: {recognizer.reason}")
    await recognizer.close()
    return recognizer.classifier, {"rss_before_torch_mb": before, "rss_after_torch_import_mb": with_torch,
                                   "torch_import_s": round(torch_seconds, 2),
                                   "model_load_s": round(load_seconds, 3), "rss_with_model_mb": rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", type=Path, default=ROOT / ".data/models/food")
    parser.add_argument("--images", type=Path, default=ROOT.parent / "shared/data/food-photos/test")
    parser.add_argument("--n", type=int, default=100, help="photos timed one at a time")
    parser.add_argument("--batch-sizes", default="1,8,16,32")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if importlib.util.find_spec("torch") is None:  # not imported yet: its import is measured below
        print("food recognition bench skipped: torch is not installed (make vision)")
        return
    if not (args.bundle / "manifest.json").is_file():
        print(f"food recognition bench skipped: no bundle in {args.bundle} (make food-model)")
        return
    photos = labelled_photos(args.images)
    if not photos:
        sys.exit(f"no photos in class sub-folders of {args.images}")
    classifier, loading = asyncio.run(load_like_the_worker(args.bundle.resolve(), args.threads))

    measured = accuracy(classifier, photos)
    # Every class in turn, so the timed photos are not all of one dish.
    step = max(1, len(photos) // max(args.n, 64))
    images = [photos[(i * step) % len(photos)][0].read_bytes() for i in range(max(args.n, 64))]
    classifier.predict(images[:4])  # warm-up: first calls allocate
    latencies = []
    for data in images[:args.n]:
        started = time.perf_counter()
        classifier.predict([data])
        latencies.append(time.perf_counter() - started)
    throughput = {}
    for size in (int(s) for s in args.batch_sizes.split(",")):
        rounds = max(2, args.n // size)
        started = time.perf_counter()
        for r in range(rounds):
            classifier.predict([images[(r * size + i) % len(images)] for i in range(size)])
        throughput[str(size)] = round(rounds * size / (time.perf_counter() - started), 1)

    import torch

    manifest = classifier.manifest
    record("food_recognition", {
        "model": manifest.version, "arch": manifest.arch, "input_size": manifest.input_size,
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), **loading,
        "peak_rss_mb": peak_rss_mb(), "test": {k: v for k, v in measured.items() if k != "confusion_matrix"},
        "single_image": summary_ms(latencies, one_client=True), "images_per_s_by_batch_size": throughput,
        "manifest_test_metrics": {k: v for k, v in manifest.metrics.get("test", {}).items()
                                  if k in ("top1", "top5", "images")},
        "training": {k: manifest.training.get(k) for k in ("epochs", "seconds", "load_seconds", "threads")},
        "load_1min": round(os.getloadavg()[0], 2),
    })


if __name__ == "__main__":
    main()
