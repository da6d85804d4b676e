"""Demo and benchmark data: realistic history (workouts, meals, weight, habits, journal) written in bulk."""
