"""The event envelope on the wire: `{id, type, version, occurred_at, user_id, data}`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fitjourney_common.events._telemetry import current_trace_headers
from fitjourney_common.events.contracts import EVENT_CONTRACTS, EventData
from fitjourney_common.events.timestamps import UtcDatetime, as_utc

__all__ = ["EventEnvelope", "UtcDatetime", "as_utc", "new_event", "parse_data"]

# Dotted lowercase words: a type is also the routing key, so `*` and `#` must never appear in it.
EVENT_TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"


class EventEnvelope(BaseModel):
    """One event on the wire. `data` is JSON-ready and matches the contract of `type` (see contracts.py)."""

    # Unknown envelope fields are ignored so an older consumer still reads a newer producer's events.
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: uuid.UUID
    type: str = Field(max_length=100, pattern=EVENT_TYPE_PATTERN)
    version: int = Field(default=1, ge=1)
    occurred_at: UtcDatetime
    user_id: uuid.UUID | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    # Not part of the body: travels as AMQP headers (and in the outbox row) to continue the trace.
    trace_headers: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, raw: bytes | str, *, trace_headers: dict[str, str] | None = None) -> EventEnvelope:
        """Parse a message body; raises ValueError (pydantic's ValidationError) when it is not an envelope."""
        envelope = cls.model_validate_json(raw)
        if trace_headers:
            envelope = envelope.model_copy(update={"trace_headers": dict(trace_headers)})
        return envelope


def new_event(
    type: str,
    data: BaseModel | dict[str, Any],
    user_id: uuid.UUID | None = None,
    *,
    occurred_at: datetime | None = None,
) -> EventEnvelope:
    """Build an envelope whose `data` is validated against the contract registered for `type`.

    Raises ValueError for an unknown type, a field the contract does not know, invalid data, or a
    `user_id` that disagrees with `data.user_id`. When `user_id` is omitted it is taken from the data.
    """
    contract = EVENT_CONTRACTS.get(type)
    if contract is None:
        raise ValueError(f"unknown event type {type!r} (contracts live in events/contracts.py)")
    raw = data.model_dump() if isinstance(data, BaseModel) else dict(data)
    # Contracts ignore unknown fields when reading (tolerant consumers); a producer's typo must fail here.
    unknown = sorted(set(raw) - set(contract.model_fields))
    if unknown:
        raise ValueError(f"{type}: unknown field(s) {', '.join(unknown)}")
    validated = contract.model_validate(raw)
    data_user = getattr(validated, "user_id", None)
    if user_id is None:
        user_id = data_user
    elif data_user is not None and data_user != user_id:
        raise ValueError(f"{type}: user_id {user_id} differs from data.user_id {data_user}")
    return EventEnvelope(
        id=uuid.uuid4(),
        type=type,
        occurred_at=occurred_at or datetime.now(UTC),
        user_id=user_id,
        data=validated.model_dump(mode="json"),
        trace_headers=current_trace_headers(),
    )


def parse_data(envelope: EventEnvelope) -> EventData:
    """The envelope's `data` as its contract model; ValueError for an unknown type or invalid data."""
    contract = EVENT_CONTRACTS.get(envelope.type)
    if contract is None:
        raise ValueError(f"unknown event type {envelope.type!r}")
    return contract.model_validate(envelope.data)
