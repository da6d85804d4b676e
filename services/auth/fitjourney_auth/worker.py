"""Auth's worker process (`python -m fitjourney_auth.worker`): outbox relay and consumers without HTTP,
until SIGTERM (then in-flight messages finish and the outbox is flushed). Run it with
RUN_EVENT_WORKER=false on the API replicas."""

from __future__ import annotations

from fitjourney_auth.main import open_auth_runtime
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.runtime import worker_main


def main() -> None:
    worker_main(open_auth_runtime, AuthSettings())


if __name__ == "__main__":
    main()
