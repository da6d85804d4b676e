"""Test helpers and fixtures that other packages' tests reuse (S3, database, Redis, broker)."""
