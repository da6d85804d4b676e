"""FitJourney analytics service: dashboards, trends, reports and business metrics."""
