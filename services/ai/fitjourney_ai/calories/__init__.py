"""Workout energy expenditure: Compendium METs and the Keytel heart-rate equations."""
