"""Observability shared by the services: structured logs, Prometheus metrics and OpenTelemetry traces."""
