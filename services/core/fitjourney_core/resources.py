"""Every kind of user-owned resource core has, in one list: what the write path serves and the tests walk."""

from __future__ import annotations

from fitjourney_core.body_metrics.service import BODY_METRICS
from fitjourney_core.food_logs.photos import PHOTO_JOBS
from fitjourney_core.food_logs.service import FOOD_LOGS
from fitjourney_core.foods.service import CUSTOM_FOODS
from fitjourney_core.habits.service import CHECK_INS, HABITS
from fitjourney_core.journal.service import JOURNAL
from fitjourney_core.profile.service import PROFILES
from fitjourney_core.workouts.service import WORKOUTS
from fitjourney_core.writes.service import ResourceKind

RESOURCE_KINDS: tuple[ResourceKind, ...] = (
    PROFILES, WORKOUTS, BODY_METRICS, CUSTOM_FOODS, FOOD_LOGS, PHOTO_JOBS, HABITS, CHECK_INS, JOURNAL,
)
