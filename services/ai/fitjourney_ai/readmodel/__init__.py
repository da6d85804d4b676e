"""readmodel."""
