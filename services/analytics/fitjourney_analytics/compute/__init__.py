"""Pure computations of analytics (no database, no clock): calendars, series, trends, habits, reports."""
