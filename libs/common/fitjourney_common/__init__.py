"""Shared code every FitJourney service uses."""
