"""Daily journal entries with the text encrypted at rest."""
