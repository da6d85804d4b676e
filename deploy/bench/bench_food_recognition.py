"""Food-photo recognition speed on this CPU: one image at a time (latency), and batches (throughput).

    .venv/bin/python deploy/bench/bench_food_recognition.py [--bundle .data/models/food] [--images DIR]
        [--n 50] [--batch-sizes 1,8,16,32] [--threads 0]

Loads the bundle `make food-model` wrote (skips with a message when there is none or torch is missing),
classifies real photos from `--images` (default ../shared/data/food-photos/test) through the same
preprocessing the service uses, prints one JSON line and appends it to deploy/bench/results/food_recognition.jsonl.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from benchlib import record, summary_ms

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", type=Path, default=ROOT / ".data/models/food")
    parser.add_argument("--images", type=Path, default=ROOT.parent / "shared/data/food-photos/test")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--batch-sizes", default="1,8,16,32")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    try:
        import torch

        from fitjourney_ai.recognition.bundle import read_folder
        from fitjourney_ai.recognition.vision import Classifier
    except ModuleNotFoundError as exc:
        print(f"food recognition bench skipped: {exc} (make vision)")
        return
    if not (args.bundle / "manifest.json").is_file():
        print(f"food recognition bench skipped: no bundle in {args.bundle} (make food-model)")
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    classifier = Classifier.from_bundle(*read_folder(args.bundle))
    photos = sorted(p for p in args.images.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    if not photos:
        sys.exit(f"no photos under {args.images}")
    images = [photos[i % len(photos)].read_bytes() for i in range(max(args.n, 64))]

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
            batch = [images[(r * size + i) % len(images)] for i in range(size)]
            classifier.predict(batch)
        throughput[str(size)] = round(rounds * size / (time.perf_counter() - started), 1)

    manifest = classifier.manifest
    record("food_recognition", {
        "model": manifest.version, "arch": manifest.arch, "input_size": manifest.input_size,
        "torch_threads": torch.get_num_threads(), "single_image": summary_ms(latencies, one_client=True),
        "images_per_s_by_batch_size": throughput,
        "test_metrics": {k: v for k, v in manifest.metrics.get("test", {}).items() if k in ("top1", "top5", "images")},
        "load_1min": round(os.getloadavg()[0], 2),
    })


if __name__ == "__main__":
    main()
