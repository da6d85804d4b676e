"""The worker process (`python -m fitjourney_skeleton.worker`): outbox relay and consumers without HTTP,
until SIGTERM (then in-flight messages finish and the outbox is flushed)."""

from __future__ import annotations

from fitjourney_common.runtime import worker_main
from fitjourney_skeleton.main import open_skeleton_runtime
from fitjourney_skeleton.settings import SkeletonSettings


def main() -> None:
    worker_main(open_skeleton_runtime, SkeletonSettings())


if __name__ == "__main__":
    main()
