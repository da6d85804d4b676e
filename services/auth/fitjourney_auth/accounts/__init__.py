"""Accounts: registration, password sign-in checks, the caller's own account."""
