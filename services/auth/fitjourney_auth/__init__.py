"""FitJourney auth service: accounts, tokens, sessions, OAuth sign-in, roles."""
