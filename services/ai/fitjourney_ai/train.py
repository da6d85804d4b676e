"""`python -m fitjourney_ai.train --data <class folders> --arch mobilenet_v3_small`: train a food model bundle
(torch weights and their ONNX export, which the service runs).

`python -m fitjourney_ai.train export --bundle .data/models/food`: add the ONNX export to a bundle trained
before the service ran ONNX Runtime (the weights and the version stay as they are).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

ARCHS = ("mobilenet_v3_large", "mobilenet_v3_small")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fitjourney_ai.train", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder of class sub-folders of images")
    parser.add_argument("--arch", choices=ARCHS, default="mobilenet_v3_small")
    parser.add_argument("--init", type=Path, help="a LOCAL weights file to start from (e.g. ImageNet weights)")
    parser.add_argument("--out", type=Path, default=Path(".data/models/food"), help="bundle folder to write")
    parser.add_argument("--test", type=Path, help="a second folder of the same classes, evaluated at the end")
    parser.add_argument("--input-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--max-minutes", type=float, help="fit the schedule into this much time")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--min-scale", type=float, default=0.35, help="smallest random crop, as a share of the area")
    parser.add_argument("--val-fraction", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    return parser.parse_args(argv)


def parse_export_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fitjourney_ai.train export",
                                     description="add the ONNX export to an existing bundle")
    parser.add_argument("--bundle", type=Path, default=Path(".data/models/food"), help="bundle folder")
    return parser.parse_args(argv)


def export(argv: list[str]) -> None:
    args = parse_export_args(argv)
    try:
        from fitjourney_ai.recognition.export import export_bundle
    except ModuleNotFoundError as exc:
        raise SystemExit(f"the export needs torch: pip install -e 'services/ai[vision]' ({exc})") from exc
    from fitjourney_ai.recognition.bundle import BundleError

    try:
        manifest = export_bundle(args.bundle)
    except BundleError as exc:
        raise SystemExit(f"cannot export {args.bundle}: {exc}") from exc
    print(json.dumps({"bundle": str(args.bundle), "version": manifest.version, "onnx_file": manifest.onnx_file,
                      "onnx_sha256": manifest.onnx_sha256, **{k: manifest.onnx_export[k] for k in
                                                             ("opset", "max_abs_logit_difference")}}))


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if argv[:1] == ["export"]:
        export(argv[1:])
        return
    args = parse_args(argv)
    try:
        from fitjourney_ai.recognition.training import TrainConfig, train
    except ModuleNotFoundError as exc:
        raise SystemExit(f"training needs torch: pip install -e 'services/ai[vision]' ({exc})") from exc
    config = TrainConfig(
        data=args.data, arch=args.arch, out=args.out, test=args.test, init=args.init, input_size=args.input_size,
        epochs=args.epochs, max_minutes=args.max_minutes, batch_size=args.batch_size, lr=args.lr,
        weight_decay=args.weight_decay, label_smoothing=args.label_smoothing, min_scale=args.min_scale,
        val_fraction=args.val_fraction, seed=args.seed, threads=args.threads,
    )
    folder, manifest = train(config)
    summary = {name: {k: v for k, v in result.items() if k in ("images", "top1", "top5")}
               for name, result in manifest.metrics.items()}
    print(json.dumps({"bundle": str(folder), "version": manifest.version, "metrics": summary,
                      "training_seconds": manifest.training["seconds"], "epochs": manifest.training["epochs"]}))


if __name__ == "__main__":
    main()
