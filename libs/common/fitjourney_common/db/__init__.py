"""Database access shared by the services: engine, sessions, declarative base, pagination."""
