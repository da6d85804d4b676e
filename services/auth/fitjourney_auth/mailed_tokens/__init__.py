"""Single-use, expiring tokens sent by mail (password reset, email verification)."""
