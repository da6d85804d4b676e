"""Core's worker process (`python -m fitjourney_core.worker`): outbox relay, consumers and partition
upkeep without HTTP, until SIGTERM (then in-flight messages finish and the outbox is flushed)."""

from __future__ import annotations

from fitjourney_common.runtime import worker_main
from fitjourney_core.main import open_core_runtime
from fitjourney_core.settings import CoreSettings


def main() -> None:
    worker_main(open_core_runtime, CoreSettings())


if __name__ == "__main__":
    main()
