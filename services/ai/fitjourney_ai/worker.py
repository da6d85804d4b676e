"""ai's worker process (`python -m fitjourney_ai.worker`): outbox relay and consumers (calorie estimates,
food photos, read model, export and erasure) without HTTP, until SIGTERM."""

from __future__ import annotations

from fitjourney_ai.main import open_ai_runtime
from fitjourney_ai.settings import AiSettings
from fitjourney_common.runtime import worker_main


def main() -> None:
    worker_main(open_ai_runtime, AiSettings())


if __name__ == "__main__":
    main()
