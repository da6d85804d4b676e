"""Events between services: envelope and contracts, the bus (RabbitMQ or in-memory), outbox, inbox, worker."""

from fitjourney_common.events.bus import EventBus, EventBusError, Handler, PublishError
from fitjourney_common.events.contracts import EVENT_CONTRACTS, EventData
from fitjourney_common.events.envelope import EventEnvelope, new_event, parse_data
from fitjourney_common.events.factory import create_bus
from fitjourney_common.events.inbox import ProcessedEventMixin, idempotent
from fitjourney_common.events.memory import DeadLetter, InMemoryBus
from fitjourney_common.events.outbox import OutboxMessageMixin, OutboxRelay, add_event
from fitjourney_common.events.worker import EventWorker, Subscription, run_until_signal

__all__ = [
    "EVENT_CONTRACTS",
    "DeadLetter",
    "EventBus",
    "EventBusError",
    "EventData",
    "EventEnvelope",
    "EventWorker",
    "Handler",
    "InMemoryBus",
    "OutboxMessageMixin",
    "OutboxRelay",
    "ProcessedEventMixin",
    "PublishError",
    "Subscription",
    "add_event",
    "create_bus",
    "idempotent",
    "new_event",
    "parse_data",
    "run_until_signal",
]
