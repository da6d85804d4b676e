"""Changing the sign-in credentials of one's own account (password, email), after proving who one is."""
