"""Email verification: the mailed link that proves an address and activates a new account."""
