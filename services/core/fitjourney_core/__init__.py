"""FitJourney core service: profiles, workouts, food, body metrics, habits, journal, summaries."""
