"""The embedded dev gateway that `make dev` runs."""
