"""Changes feed for offline-first clients: every write to a user's resources, in commit order."""
