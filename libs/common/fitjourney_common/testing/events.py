"""Valid `data` of lifecycle events for tests of producers and consumers (the contracts require the
version, the dates and the before/after figures, which a test rarely cares about)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fitjourney_common.events.envelope import as_utc


def workout_data(**overrides: Any) -> dict[str, Any]:
    """`data` of a `workout.created` (or, with `before`, a `workout.updated`); fields can be overridden."""
    data: dict[str, Any] = {
        "workout_id": uuid.uuid4(), "user_id": uuid.uuid4(), "activity": "running", "duration_min": 30.0,
        "started_at": datetime(2025, 3, 1, 7, 30, tzinfo=UTC), "version": 1,
    }
    data.update(overrides)
    started = data["started_at"]
    started = as_utc(datetime.fromisoformat(started) if isinstance(started, str) else started)
    state = {"started_at": started, "activity": data["activity"], "duration_min": data["duration_min"],
             "distance_km": data.get("distance_km")}
    data.setdefault("dates", [started.date()])
    data.setdefault("after", state)
    return data


def workout_deleted_data(**overrides: Any) -> dict[str, Any]:
    """`data` of a `workout.deleted`."""
    data: dict[str, Any] = {
        "workout_id": uuid.uuid4(), "user_id": uuid.uuid4(), "version": 2, "dates": [],
        "before": {"started_at": datetime(2025, 3, 1, 7, 30, tzinfo=UTC), "activity": "running",
                   "duration_min": 30.0},
    }
    data.update(overrides)
    return data
