"""ai's API gives large blocks (an upload, its decoded image, the model's bytes) back to the system when freed."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator")


def resident_growth_mib(pin: bool) -> float:
    # A fresh process: the thresholds are the whole process's. The first block freed raises glibc's own
    # thresholds unless pinned; the second then comes from the heap and stays resident once freed.
    code = textwrap.dedent(f"""
        from fitjourney_ai.recognition.malloc import pin_thresholds
        def rss():
            return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
        if {pin}:
            pin_thresholds()
        block = b"x" * (6 << 20)
        del block
        before = rss()
        block = b"y" * (6 << 20)
        del block
        print(rss() - before)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return float(out.stdout)


def test_a_freed_upload_sized_block_leaves_nothing_resident_once_pinned() -> None:
    assert resident_growth_mib(pin=False) > 5  # what the API did: the block stays in the heap
    assert resident_growth_mib(pin=True) < 1
