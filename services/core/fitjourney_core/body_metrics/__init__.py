"""Body measurements over time (weight, body fat, girths, resting heart rate)."""
