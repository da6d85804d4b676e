"""FitJourney AI service: workout calories, food-photo recognition, trends, recommendations, insights."""
