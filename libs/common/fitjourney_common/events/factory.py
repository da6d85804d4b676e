"""The event bus a BROKER_URL names: in-memory (embedded dev) or RabbitMQ."""

from __future__ import annotations

from urllib.parse import urlsplit

from fitjourney_common.events.bus import EventBus
from fitjourney_common.events.memory import InMemoryBus
from fitjourney_common.events.rabbitmq import RabbitMQBus
from fitjourney_common.settings import CommonSettings


def create_bus(settings: CommonSettings) -> EventBus:
    """`memory://…` → InMemoryBus (embedded dev); `amqp://…`/`amqps://…` → RabbitMQBus."""
    scheme = urlsplit(settings.broker_url).scheme.lower()
    if scheme == "memory":
        return InMemoryBus(settings.broker_url, service_name=settings.service_name)
    if scheme in ("amqp", "amqps"):
        return RabbitMQBus(settings.broker_url, settings.events_exchange, service_name=settings.service_name,
                           close_timeout=settings.shutdown_drain_seconds)
    raise ValueError(f"BROKER_URL must start with memory://, amqp:// or amqps:// (got scheme {scheme!r})")
