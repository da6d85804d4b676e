"""Imports every table of the ai service, so `Base.metadata` is complete (Alembic, erasure, export)."""

from __future__ import annotations

from fitjourney_ai.db import Base, OutboxMessage, ProcessedEvent
from fitjourney_ai.readmodel.models import (
    BodyWeight,
    CalorieEstimateRecord,
    CheckInEntry,
    FoodEntry,
    HabitEntry,
    PhotoRecognition,
    Profile,
    WorkoutEntry,
)

__all__ = [
    "Base", "BodyWeight", "CalorieEstimateRecord", "CheckInEntry", "FoodEntry", "HabitEntry", "OutboxMessage",
    "PhotoRecognition", "ProcessedEvent", "Profile", "WorkoutEntry",
]

# Every table holding a user's data, for export and erasure.
USER_TABLES = (Profile, BodyWeight, FoodEntry, WorkoutEntry, HabitEntry, CheckInEntry, CalorieEstimateRecord,
               PhotoRecognition)
