"""A user's dashboard: per-day and per-week series and totals over a period, cached in Redis."""
