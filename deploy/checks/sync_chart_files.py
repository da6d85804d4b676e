"""Copies the files the Helm chart keeps of its own (Helm reads only files inside a chart) from their originals.

Run as `make helm-sync` after changing gateway/kong/kong.yml or deploy/prometheus/alerts.yml; a test in
deploy/tests/test_helm.py fails while a copy differs from its original.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "fitjourney"
# original -> copy inside the chart
COPIES = {
    ROOT / "gateway" / "kong" / "kong.yml": CHART / "files" / "kong.yml",
    ROOT / "deploy" / "prometheus" / "alerts.yml": CHART / "files" / "alerts.yml",
}


def main() -> int:
    for original, copy in COPIES.items():
        if not copy.exists() or copy.read_bytes() != original.read_bytes():
            shutil.copyfile(original, copy)
            print(f"updated {copy.relative_to(ROOT)} from {original.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
