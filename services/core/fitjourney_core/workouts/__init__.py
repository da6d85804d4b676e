"""Workouts: CRUD, the workout events, and the calorie estimate coming back from the AI service."""
