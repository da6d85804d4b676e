"""The activity catalogue shipped with the package (data/activities.json), loaded once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from fitjourney_core.activities.schemas import ActivityList, ActivityRead


@cache
def load_catalogue() -> ActivityList:
    raw = json.loads(resources.files("fitjourney_core").joinpath("data/activities.json").read_text("utf-8"))
    return ActivityList(items=[ActivityRead(**item) for item in raw["activities"]], source=raw["source"])


@cache
def activities_by_code() -> dict[str, ActivityRead]:
    return {activity.code: activity for activity in load_catalogue().items}


def find_activity(code: str) -> ActivityRead | None:
    return activities_by_code().get(code)
