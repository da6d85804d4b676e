"""Administration: listing accounts and granting roles (admins only)."""
