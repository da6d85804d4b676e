"""The cyclic garbage collector tuned for a long-running service process.

A service imports FastAPI, SQLAlchemy, pydantic and the rest: about 250,000 objects that live as long as the
process. With CPython's default thresholds (700, 10, 10) a request's allocations start young collections
often, and now and then an old one walks all of those objects again (0.2 s each in core). Once the service
has started, what start-up built is moved out of the collector's sight (`gc.freeze()`: still freed by
reference counting, only never scanned for cycles again) and the young generation may grow to
GC_GEN0_THRESHOLD objects before it is collected: cycles made while serving are still collected, in fewer
passes over fewer objects.
"""

from __future__ import annotations

import gc

GC_GEN0_THRESHOLD = 10_000
GC_OLDER_THRESHOLDS = (10, 10)  # CPython's defaults

_settled = False


def settle_heap() -> None:
    """After start-up: collect once, freeze what is left and raise the young generation's threshold. Once per
    process (a test process starting many apps freezes only what its first start built)."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_GEN0_THRESHOLD, *GC_OLDER_THRESHOLDS)
