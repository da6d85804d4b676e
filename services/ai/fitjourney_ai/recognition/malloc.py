"""glibc's allocator, for a process that serves photos now and then beside its memory target (ai's API): give
freed pages back, and keep large blocks out of the heaps. Elsewhere than glibc both do nothing."""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)
# glibc's defaults, pinned: left dynamic, glibc raises both (up to 32 and 64 MiB) once a block above the
# threshold is freed, after which the model's bytes, each upload and its decoded image come from the heaps,
# and what they free there stays resident (services/ai/README.md, "Measured").
THRESHOLD = 128 * 1024


def _libc() -> Any:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


_LIBC = _libc()


def release_freed_memory() -> None:
    """Give the C heap's free pages back to the system (`malloc_trim`). Freed memory of the session's build,
    the decoded photos and the shrunk arena otherwise stays resident."""
    if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)


def pin_thresholds() -> None:
    """Blocks of THRESHOLD and more are mapped on their own and unmapped when freed, for the whole process."""
    if _LIBC is not None and hasattr(_LIBC, "mallopt"):
        _LIBC.mallopt(M_MMAP_THRESHOLD, THRESHOLD)
        _LIBC.mallopt(M_TRIM_THRESHOLD, THRESHOLD)
