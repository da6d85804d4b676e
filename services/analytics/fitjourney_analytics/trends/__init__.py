"""Trends of one metric over a period: the series, its direction and a robust slope with a CI."""
