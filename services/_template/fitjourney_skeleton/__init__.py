"""The skeleton service: the template a new FitJourney service starts from (see services/README.md)."""
