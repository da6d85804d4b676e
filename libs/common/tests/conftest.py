"""Fixtures shared by fitjourney_common's own tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from fitjourney_common.observability.tracing import configure_tracing
from fitjourney_common.testing.redis import redis_url_for_tests

# A db number of its own on the machine's Redis, so these tests never touch anyone else's keys.
REAL_REDIS_URL = redis_url_for_tests(13)
TEST_SERVICE = "fitjourney-tests"


@pytest.fixture
def unique() -> str:
    """A fresh name for namespaces, buckets, services and identities, so tests never see each other's data."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
async def real_redis(unique: str) -> AsyncIterator[aioredis.Redis]:
    """A client on the real Redis; every key the test writes must start with `unique`."""
    client = aioredis.Redis.from_url(REAL_REDIS_URL)
    yield client
    async for key in client.scan_iter(match=f"*{unique}*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture(scope="session")
def span_exporter() -> Iterator[InMemorySpanExporter]:
    """An SDK tracer provider for the process (no network exporter) with spans captured in memory; apps
    built after it instrument themselves, as they do with an OTLP endpoint."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        trace.set_tracer_provider(TracerProvider())
        provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    assert configure_tracing(TEST_SERVICE, None)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


@pytest.fixture
def spans(span_exporter: InMemorySpanExporter) -> InMemorySpanExporter:
    """`span_exporter`, emptied before the test."""
    span_exporter.clear()
    return span_exporter
