"""What a test suite measured (events sent and delivered, requests answered, a process's memory), kept for
README's figures: written as JSON when the session ends and printed with pytest's output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def recorded_figures(out: Path, suite: str) -> Iterator[dict[str, object]]:
    """A dict the tests fill; when the block ends, written to `out` (nothing when empty) and printed."""
    figures: dict[str, object] = {}
    yield figures
    if figures:
        out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(figures, indent=2, default=str)
        out.write_text(text)
        print(f"\n{suite} figures ({out}):\n{text}")
