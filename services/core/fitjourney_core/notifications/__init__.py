"""Notifications to a user's open WebSockets, fanned out across replicas through Redis pub/sub."""
