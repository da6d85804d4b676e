"""Business metrics for operators: active users, workouts, food logging, sign-ups, weekly-cohort retention."""
