"""Food logs, meal totals and the food-photo recognition flow."""
