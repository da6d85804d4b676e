"""Habits, daily check-ins and streaks."""
