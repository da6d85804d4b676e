"""The user's profile, derived daily targets, and avatar."""
