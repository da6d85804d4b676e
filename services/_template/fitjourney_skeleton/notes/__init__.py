"""The example domain: a user's short notes (router → service → repository → models/schemas)."""
