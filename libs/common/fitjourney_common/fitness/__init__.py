"""Fitness rules more than one service applies: energy and macro targets, habit schedules and streaks."""
