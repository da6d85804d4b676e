"""Food-photo recognition on this CPU, as the service runs it (ONNX Runtime) and as it used to (torch):
accuracy on the test photos, load time, memory, latency, throughput, and how far the two answers differ.

    .venv/bin/python deploy/bench/bench_food_recognition.py [--bundle .data/models/food] [--images DIR]
        [--n 100] [--batch-sizes 1,8,16,32] [--threads 1] [--runtimes onnx,torch]

Each runtime is measured in a fresh process of its own (so one's memory is not the other's), which:

- imports the runtime (onnx: onnxruntime; torch: torch and torchvision), then loads the bundle `make
  food-model` wrote: onnx as ai's worker does (`FoodRecognizer.load()` with FOOD_MODEL_URI: ONNX file read,
  sha256 checked, session built, labels mapped to catalogue foods); torch as the worker did before
  (`TorchClassifier.from_bundle`: weights read and checked, network built); both with `--threads` threads;
- notes the process's RSS at start (Python and the ai worker's modules), after the runtime's import, with the
  model loaded, after `--n` photos one at a time (what an idle worker holds) and at its peak, after batches
  of each `--batch-sizes` (photos/s, decode included) and the accuracy pass;
- times `--n` photos one at a time (decode + preprocess + forward: p50/p95), taken from every class;
- classifies every photo of `--images` (default ../shared/data/food-photos/test, class sub-folders):
  top-1 / top-5, per class, the most frequent confusions.

The parent compares the runtimes photo by photo (how many top-5 lists differ, the largest difference of a
class probability), prints one JSON line and appends it to deploy/bench/results/food_recognition.jsonl.
Skips with a message when there is no bundle; a runtime that is missing (torch not installed, a bundle
without its ONNX file) is reported with the reason.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import record, summary_ms

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {".jpg", ".jpeg", ".png"}
RUNTIMES = ("onnx", "torch")


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


def accuracy(classifier: Any, photos: list[tuple[Path, str]], batch_size: int = 32,
             ) -> tuple[dict[str, Any], list[list[float] | None]]:
    """Top-1, top-5, per-class top-1 and the most frequent confusions (true → predicted); with every photo's
    class probabilities (None for an unreadable one)."""
    import numpy as np

    labels = classifier.manifest.labels
    confusion = {true: dict.fromkeys(labels, 0) for true in labels}
    top1 = top5 = 0
    probabilities: list[list[float] | None] = []
    for start in range(0, len(photos), batch_size):
        views: list[Any] = []
        for path, _truth in photos[start:start + batch_size]:
            try:
                views.append(classifier.preprocess(path.read_bytes()))
            except ValueError:
                views.append(None)
        readable = [view for view in views if view is not None]
        rows = iter(classifier.probabilities(np.stack(readable)) if readable else [])
        for (_path, truth), view in zip(photos[start:start + batch_size], views, strict=True):
            if view is None:
                probabilities.append(None)
                continue
            row = next(rows)
            probabilities.append([float(p) for p in row])
            names = [labels[i] for i in np.argsort(-row, kind="stable")[:5]]
            top1 += names[0] == truth
            top5 += truth in names
            confusion[truth][names[0]] += 1
    pairs = sorted(((n, t, p) for t, row in confusion.items() for p, n in row.items() if t != p), reverse=True)
    return {
        "images": len(photos), "top1": round(top1 / len(photos), 4), "top5": round(top5 / len(photos), 4),
        "per_class_top1": {t: round(row[t] / max(1, sum(row.values())), 2) for t, row in confusion.items()},
        "top_confusions": [f"{t} -> {p}: {n}" for n, t, p in pairs[:8]],
    }, probabilities


async def load_onnx(bundle: Path, threads: int) -> Any:
    from fitjourney_ai.recognition.recognizer import FoodRecognizer
    from fitjourney_ai.settings import AiSettings

    recognizer = FoodRecognizer(AiSettings(food_model_uri=f"file://{bundle}", food_inference_threads=threads))
    await recognizer.load()
    await recognizer.close()
    if recognizer.classifier is None:
        raise LookupError(recognizer.reason)
    return recognizer.classifier


def load_torch(bundle: Path, threads: int) -> Any:
    import torch

    from fitjourney_ai.recognition.bundle import read_folder
    from fitjourney_ai.recognition.vision import TorchClassifier

    torch.set_num_threads(threads)
    return TorchClassifier.from_bundle(*read_folder(bundle))


def measure(runtime: str, args: argparse.Namespace) -> dict[str, Any]:
    """One runtime, in this (fresh) process."""
    import importlib

    import fitjourney_ai.worker  # noqa: F401 - the start: the worker's code (and the app's) imported

    rss: dict[str, float] = {"start": rss_mb()}
    started = time.perf_counter()
    try:
        if runtime == "onnx":
            versions = {"onnxruntime": importlib.import_module("onnxruntime").__version__}
        else:
            versions = {"torch": importlib.import_module("torch").__version__}
            importlib.import_module("fitjourney_ai.recognition.vision")  # torchvision with it
    except ModuleNotFoundError as exc:
        return {"skipped": f"{exc.name} is not installed"}
    import_seconds = time.perf_counter() - started
    rss["after_import"] = rss_mb()
    started = time.perf_counter()
    try:
        classifier = (asyncio.run(load_onnx(args.bundle, args.threads)) if runtime == "onnx"
                      else load_torch(args.bundle, args.threads))
    except LookupError as exc:
        return {"skipped": str(exc)}
    load_seconds = time.perf_counter() - started
    rss["with_model"] = rss_mb()

    photos = labelled_photos(args.images)
    # Every class in turn, so the timed photos are not all of one dish.
    count = max(args.n, 64)
    step = max(1, len(photos) // count)
    images = [photos[(i * step) % len(photos)][0].read_bytes() for i in range(count)]
    classifier.predict(images[:4])  # warm-up: first calls allocate
    latencies = []
    for data in images[:args.n]:
        started = time.perf_counter()
        classifier.predict([data])
        latencies.append(time.perf_counter() - started)
    rss[f"after_{args.n}_photos"] = rss_mb()
    throughput = {}
    for size in (int(s) for s in args.batch_sizes.split(",")):
        rounds = max(2, args.n // size)
        started = time.perf_counter()
        for r in range(rounds):
            classifier.predict([images[(r * size + i) % len(images)] for i in range(size)])
        throughput[str(size)] = round(rounds * size / (time.perf_counter() - started), 1)
    measured, probabilities = accuracy(classifier, photos)
    rss["peak"] = peak_rss_mb()
    return {
        **versions, "threads": args.threads, "import_s": round(import_seconds, 2),
        "model_load_s": round(load_seconds, 3), "rss_mb": rss, "single_image": summary_ms(latencies, one_client=True),
        "images_per_s_by_batch_size": throughput, "test": measured, "probabilities": probabilities,
    }


def agreement(a: list[list[float] | None], b: list[list[float] | None]) -> dict[str, Any]:
    """Photo by photo: the largest class-probability difference, and how many top-1 / top-5 lists differ."""
    import numpy as np

    pairs = [(np.asarray(x), np.asarray(y)) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    return {
        "photos": len(pairs),
        "max_abs_probability_difference": float(max(np.abs(x - y).max() for x, y in pairs)),
        "top1_differs": sum(int(x.argmax() != y.argmax()) for x, y in pairs),
        "top5_differs": sum(int(list(np.argsort(-x, kind="stable")[:5]) != list(np.argsort(-y, kind="stable")[:5]))
                            for x, y in pairs),
    }


def in_fresh_process(runtime: str, argv: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *argv, "--child", runtime],  # noqa: S603 - this script
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"the {runtime} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", type=Path, default=ROOT / ".data/models/food")
    parser.add_argument("--images", type=Path, default=ROOT.parent / "shared/data/food-photos/test")
    parser.add_argument("--n", type=int, default=100, help="photos timed one at a time")
    parser.add_argument("--batch-sizes", default="1,8,16,32")
    parser.add_argument("--threads", type=int, default=1, help="threads of one forward pass (the service's: 1)")
    parser.add_argument("--runtimes", default=",".join(RUNTIMES))
    parser.add_argument("--child", choices=RUNTIMES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.bundle = args.bundle.resolve()
    if args.child:
        print(json.dumps(measure(args.child, args)))
        return
    manifest_path = args.bundle / "manifest.json"
    if not manifest_path.is_file():
        print(f"food recognition bench skipped: no bundle in {args.bundle} (make food-model)")
        return
    if not labelled_photos(args.images):
        sys.exit(f"no photos in class sub-folders of {args.images}")
    runtimes = {runtime: in_fresh_process(runtime, sys.argv[1:]) for runtime in args.runtimes.split(",")}
    measured = [r for r in runtimes.values() if "probabilities" in r]
    compared = agreement(*(r["probabilities"] for r in measured)) if len(measured) == 2 else None
    for result in measured:
        del result["probabilities"]

    manifest = json.loads(manifest_path.read_text())
    record("food_recognition", {
        "model": manifest["version"], "arch": manifest["arch"], "input_size": manifest["input_size"],
        "runtimes": runtimes, "onnx_vs_torch": compared,
        "manifest_test_metrics": {k: v for k, v in manifest["metrics"].get("test", {}).items()
                                  if k in ("top1", "top5", "images")},
        "training": {k: manifest["training"].get(k) for k in ("epochs", "seconds", "load_seconds", "threads")},
        "load_1min": round(os.getloadavg()[0], 2),
    })


if __name__ == "__main__":
    main()
