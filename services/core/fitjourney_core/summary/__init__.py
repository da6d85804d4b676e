"""Daily summary: energy in and out, macros vs targets, water, habits, workouts, weight."""
