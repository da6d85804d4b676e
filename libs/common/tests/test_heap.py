"""The service process's collector settings after start-up (in a fresh interpreter: they are process-wide)."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import gc, json
from fitjourney_common.heap import GC_GEN0_THRESHOLD, settle_heap
settle_heap()
frozen, threshold = gc.get_freeze_count(), gc.get_threshold()
cycle = []
cycle.append(cycle)
del cycle  # garbage made after start-up: still the collector's
settle_heap()  # a second app in the same process freezes nothing more
print(json.dumps({"frozen": frozen, "again": gc.get_freeze_count(), "threshold": threshold,
                  "expected": GC_GEN0_THRESHOLD, "collected": gc.collect() >= 1}))
"""


def test_start_up_objects_are_frozen_once_and_young_collections_are_fewer() -> None:
    result = json.loads(subprocess.run([sys.executable, "-c", SCRIPT], check=True, capture_output=True,
                                       text=True).stdout)
    assert result["frozen"] > 1000
    assert result["again"] == result["frozen"]
    assert result["threshold"][0] == result["expected"]
    assert result["collected"]
