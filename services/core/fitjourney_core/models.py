"""Imports every table of the core service, so `Base.metadata` is complete (Alembic, erasure)."""

from __future__ import annotations

from fitjourney_core.account.models import AuditEntry, Export
from fitjourney_core.body_metrics.models import BodyMetric
from fitjourney_core.db import Base, OutboxMessage, ProcessedEvent
from fitjourney_core.food_logs.models import FoodLog, PhotoJob
from fitjourney_core.foods.models import CatalogueEntry, Food
from fitjourney_core.habits.models import Habit, HabitCheckIn
from fitjourney_core.journal.models import JournalEntry
from fitjourney_core.profile.models import Profile
from fitjourney_core.workouts.models import Workout
from fitjourney_core.writes.models import Change

__all__ = [
    "AuditEntry", "Base", "BodyMetric", "CatalogueEntry", "Change", "Export", "Food", "FoodLog", "Habit",
    "HabitCheckIn", "JournalEntry", "OutboxMessage", "PhotoJob", "ProcessedEvent", "Profile", "Workout",
]
