"""Traces and metrics of the event path: one trace spans the HTTP request, the outbox and the consumers."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from prometheus_client import Histogram

from fitjourney_common.observability.metrics import EVENTS_CONSUMED, EVENTS_PUBLISHED, OUTBOX_PENDING
from fitjourney_common.observability.tracing import extract_trace_context, inject_trace_headers, tracing_enabled

if TYPE_CHECKING:
    from fitjourney_common.events.envelope import EventEnvelope

# Headers worth keeping with an event so its consumer joins the producer's trace (W3C + baggage).
TRACE_HEADER_NAMES = ("traceparent", "tracestate", "baggage")

# Queue lag as the consumer sees it: from the moment the change happened to the handler starting.
EVENT_LAG = Histogram(
    "event_lag_seconds", "Time from an event's occurred_at to its handler starting", ["service", "type"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0),
)

__all__ = [
    "EVENTS_CONSUMED", "EVENTS_PUBLISHED", "EVENT_LAG", "OUTBOX_PENDING", "TRACE_HEADER_NAMES",
    "consumer_span", "count_consumed", "current_trace_headers", "trace_headers_from",
]

_tracer = trace.get_tracer("fitjourney_common.events")


# A labelled series looked up once: `labels()` validates and locks on every call, twice per delivery.
@functools.lru_cache(maxsize=2048)
def _consumed_series(service: str, envelope_type: str, outcome: str) -> Any:
    return EVENTS_CONSUMED.labels(service=service, type=envelope_type, outcome=outcome)


@functools.lru_cache(maxsize=1024)
def _lag_series(service: str, envelope_type: str) -> Any:
    return EVENT_LAG.labels(service=service, type=envelope_type)


def count_consumed(service: str, envelope_type: str, outcome: str) -> None:
    """outcome: ok, retry, dead_lettered, malformed."""
    _consumed_series(service, envelope_type, outcome).inc()


def current_trace_headers() -> dict[str, str]:
    """`traceparent`/`tracestate`/`baggage` of the current context (empty when nothing is traced)."""
    return inject_trace_headers()


def trace_headers_from(headers: Mapping[str, Any] | None) -> dict[str, str]:
    """The trace headers among a message's headers (AMQP may hand values over as bytes)."""
    found: dict[str, str] = {}
    for key, value in (headers or {}).items():
        if str(key).lower() in TRACE_HEADER_NAMES and isinstance(value, str | bytes):
            found[str(key).lower()] = value.decode("latin-1") if isinstance(value, bytes) else value
    return found


def consumer_span(
    service: str, queue: str, envelope: EventEnvelope, headers: Mapping[str, Any] | None,
) -> AbstractContextManager[Any]:
    """A CONSUMER span around one handler run, child of the producer's span found in `headers`.

    Nothing to open when no SDK provider records spans and the message carries no trace context: the no-op
    span would be invalid, and so would what the handler's events inject (extracting and attaching the empty
    context was most of a delivery's telemetry CPU)."""
    lag = (datetime.now(UTC) - envelope.occurred_at).total_seconds()
    _lag_series(service, envelope.type).observe(max(0.0, lag))
    carried = trace_headers_from(headers)
    if not carried and not tracing_enabled():
        return nullcontext()
    return _tracer.start_as_current_span(
        f"{queue} process",
        context=extract_trace_context(carried),
        kind=trace.SpanKind.CONSUMER,
        attributes={
            "messaging.operation.type": "process",
            "messaging.destination.subscription.name": queue,
            "messaging.message.id": str(envelope.id),
            "messaging.rabbitmq.destination.routing_key": envelope.type,
        },
    )
