"""Envelope, contracts and bus selection: what producers may publish and what consumers read back."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from fitjourney_common.events import (
    EVENT_CONTRACTS,
    EventEnvelope,
    InMemoryBus,
    create_bus,
    new_event,
    parse_data,
)
from fitjourney_common.events.contracts import FoodPhotoRecognized, WorkoutCreated
from fitjourney_common.events.rabbitmq import RabbitMQBus
from fitjourney_common.settings import CommonSettings
from fitjourney_common.testing.events import workout_data as sample_workout_data
from fitjourney_common.testing.events import workout_deleted_data

USER = uuid.uuid4()


def workout_data(**overrides: object) -> dict[str, object]:
    return sample_workout_data(**{"user_id": USER, "distance_km": 5.2, "avg_heart_rate": 150, "perceived_effort": 7,
                                  "weight_kg": 70.5, **overrides})


def workout_deleted(**overrides: object) -> dict[str, object]:
    return workout_deleted_data(**{"user_id": USER, **overrides})


def test_every_designed_event_type_has_a_contract() -> None:
    assert set(EVENT_CONTRACTS) == {
        "user.registered", "user.roles_changed", "user.deleted",
        "workout.created", "workout.updated", "workout.deleted", "workout.calories_estimated",
        "food_log.created", "food_log.updated", "food_log.deleted",
        "custom_food.created", "custom_food.updated", "custom_food.deleted",
        "food.photo_uploaded", "photo_job.updated", "food.photo_recognized",
        "body_metric.created", "body_metric.updated", "body_metric.deleted",
        "habit.created", "habit.updated", "habit.deleted",
        "check_in.created", "check_in.updated", "check_in.deleted",
        "journal.created", "journal.updated", "journal.deleted",
        "profile.created", "profile.updated", "objects.erase_requested", "export.ready",
        "user.export_requested", "user.export_part_ready", "user.erasure_completed",
        "report.requested", "report.ready",
    }


def test_new_event_round_trips_through_json() -> None:
    envelope = new_event("workout.created", workout_data())
    wire = json.loads(envelope.to_json())
    assert set(wire) == {"id", "type", "version", "occurred_at", "user_id", "data"}
    assert wire["type"] == "workout.created" and wire["version"] == 1
    assert wire["user_id"] == str(USER)  # taken from data.user_id
    assert wire["occurred_at"].endswith("Z")
    back = EventEnvelope.from_json(envelope.to_json())
    assert back == envelope
    parsed = parse_data(back)
    assert isinstance(parsed, WorkoutCreated)
    assert parsed.started_at == datetime(2025, 3, 1, 7, 30, tzinfo=UTC)
    assert parsed.user_id == USER


def test_new_event_accepts_the_contract_model() -> None:
    model = FoodPhotoRecognized(job_id=uuid.uuid4(), user_id=USER, status="done", candidates=[
        {"label": "apple", "confidence": 0.9, "grams": 150, "kcal": 78, "protein_g": 0.4,
         "carbs_g": 21, "fat_g": 0.3},
    ])
    envelope = new_event("food.photo_recognized", model, USER)
    assert envelope.data["candidates"][0]["label"] == "apple"
    assert parse_data(envelope) == model


def test_datetimes_are_normalised_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    envelope = new_event("workout.created", workout_data(started_at=datetime(2025, 3, 1, 8, 30, tzinfo=paris)),
                         occurred_at=datetime(2025, 3, 1, 9, 0))
    assert envelope.data["started_at"] == "2025-03-01T07:30:00Z"
    assert envelope.occurred_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_dates_and_literals_are_checked() -> None:
    envelope = new_event("check_in.created", {
        "check_in_id": uuid.uuid4(), "user_id": USER, "version": 1, "dates": [date(2025, 1, 2)],
        "after": {"habit_id": uuid.uuid4(), "date": date(2025, 1, 2), "count": 1}})
    assert envelope.data["dates"] == ["2025-01-02"] and envelope.data["after"]["date"] == "2025-01-02"
    with pytest.raises(ValueError):
        new_event("food.photo_recognized", {"job_id": uuid.uuid4(), "user_id": USER, "status": "maybe"})


@pytest.mark.parametrize(
    ("type_", "data", "user_id", "message"),
    [
        ("workout.exploded", {"user_id": USER}, None, "unknown event type"),
        ("workout.deleted", workout_deleted(note="x"), None, "unknown field"),
        ("workout.deleted", workout_deleted(workout_id="not-a-uuid"), None, "workout_id"),
        ("workout.deleted", workout_deleted(), uuid.uuid4(), "differs"),
    ],
)
def test_new_event_rejects_what_the_contract_does_not_allow(
    type_: str, data: dict[str, object], user_id: uuid.UUID | None, message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        new_event(type_, data, user_id)


def test_a_model_of_another_event_is_not_accepted() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        new_event("workout.deleted", WorkoutCreated.model_validate(workout_data()))


def test_consumers_tolerate_fields_added_by_newer_producers() -> None:
    raw = json.loads(new_event("user.deleted", {"user_id": USER}).to_json())
    raw["data"]["reason"] = "requested"
    raw["schema_hint"] = "v2"
    envelope = EventEnvelope.from_json(json.dumps(raw))
    assert parse_data(envelope).user_id == USER  # type: ignore[attr-defined]


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"id": "x", "type": "user.deleted"}',
                                  b'{"id": "6f1c7a56-3b1a-4f0e-9d7e-000000000001", "type": "a.#", '
                                  b'"occurred_at": "2025-01-01T00:00:00Z"}'])
def test_bodies_that_are_not_envelopes_raise_value_error(body: bytes) -> None:
    with pytest.raises(ValidationError):
        EventEnvelope.from_json(body)


def test_create_bus_is_chosen_by_url() -> None:
    assert isinstance(create_bus(CommonSettings(broker_url="memory://")), InMemoryBus)
    bus = create_bus(CommonSettings(broker_url="amqp://guest:guest@127.0.0.1:5672/", events_exchange="x.events"))
    assert isinstance(bus, RabbitMQBus) and bus.exchange_name == "x.events"
    with pytest.raises(ValueError, match="BROKER_URL"):
        create_bus(CommonSettings(broker_url="kafka://localhost:9092"))
