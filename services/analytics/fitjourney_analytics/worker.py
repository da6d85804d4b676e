"""Analytics' worker process (`python -m fitjourney_analytics.worker`): outbox relay, consumers (reports,
cache invalidation, erasure) and the business gauges without HTTP, until SIGTERM."""

from __future__ import annotations

from fitjourney_analytics.main import open_analytics_runtime
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_common.runtime import worker_main


def main() -> None:
    worker_main(open_analytics_runtime, AnalyticsSettings())


if __name__ == "__main__":
    main()
