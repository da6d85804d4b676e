"""Helpers the ai tests share: a wire on the session's exchange (publish as core would, record what ai
publishes) and event factories shaped like core's lifecycle events."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
from ai_conftest import BROKER_URL
from sqlalchemy import func, select

from fitjourney_ai.settings import AiSettings
from fitjourney_common.db.engine import bind_user
from fitjourney_common.events.envelope import EventEnvelope, new_event
from fitjourney_common.events.factory import create_bus


class Wire:
    """Publishes events as core would and records what ai publishes, over the test session's exchange."""

    def __init__(self, settings: AiSettings) -> None:
        self.settings = settings
        self.seen: list[EventEnvelope] = []

    def of(self, event_type: str, **match: Any) -> list[EventEnvelope]:
        return [e for e in self.seen if e.type == event_type
                and all(str(e.data.get(k)) == str(v) for k, v in match.items())]


async def open_wire(settings: AiSettings) -> AsyncIterator[Wire]:
    wire = Wire(settings)
    connection = await aio_pika.connect(BROKER_URL)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue("", exclusive=True, auto_delete=True)
    for pattern in ("workout.calories_estimated", "food.photo_recognized", "user.export_part_ready",
                    "user.erasure_completed"):
        await queue.bind(exchange, routing_key=pattern)

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            wire.seen.append(EventEnvelope.model_validate(json.loads(message.body)))

    await queue.consume(on_message)
    bus = create_bus(settings)
    await bus.start()
    wire.publish = bus.publish  # type: ignore[attr-defined]
    try:
        yield wire
    finally:
        await bus.close()
        await connection.close()


async def mirrored_rows(app: Any, model: Any, user_id: uuid.UUID, expected: int) -> bool:
    """True once ai's read model holds `expected` rows of `model` for the user."""
    async with app.state.runtime.session_factory() as session, session.begin():
        await bind_user(session, user_id)
        query = select(func.count()).select_from(model).where(model.user_id == user_id)
        count = (await session.execute(query)).scalar()
    return count == expected


def workout_event(user_id: uuid.UUID, workout_id: uuid.UUID, *, revision: int = 1, version: int = 1,
                  event_type: str = "workout.created", **fields: Any) -> EventEnvelope:
    started = fields.pop("started_at", dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC))
    state = {"started_at": started, "activity": fields.get("activity", "running"),
             "duration_min": fields.get("duration_min", 60), "distance_km": fields.get("distance_km", 10)}
    data: dict[str, Any] = {
        "workout_id": workout_id, "user_id": user_id, "version": version, "dates": [started.date()],
        "activity": state["activity"], "duration_min": state["duration_min"], "distance_km": state["distance_km"],
        "avg_heart_rate": fields.get("avg_heart_rate"), "started_at": started, "weight_kg": fields.get("weight_kg"),
        "estimate_revision": revision, "after": state,
    }
    if event_type == "workout.updated":
        data["before"] = state
    return new_event(event_type, data, user_id)


def weight_event(user_id: uuid.UUID, kg: float, at: dt.datetime) -> EventEnvelope:
    return new_event("body_metric.created", {
        "metric_id": uuid.uuid4(), "user_id": user_id, "version": 1, "dates": [at.date()],
        "after": {"measured_at": at, "weight_kg": kg}}, user_id)


def every_kind_of_event(user_id: uuid.UUID) -> list[EventEnvelope]:
    """Core's events that fill every table ai keeps about a user (the photo job ends in a recognition row)."""
    at = dt.datetime(2026, 11, 28, 7, tzinfo=dt.UTC)
    habit_id, job_id = uuid.uuid4(), uuid.uuid4()
    common = {"user_id": user_id, "version": 1, "dates": [at.date()]}
    return [
        new_event("profile.created", {"user_id": user_id, "version": 1, "after": {
            "birth_date": "1990-04-01", "sex": "female", "height_cm": 168, "activity_level": "moderate",
            "goal": "maintain", "units": "metric", "time_zone": "UTC"}}, user_id),
        weight_event(user_id, 70.0, at),
        new_event("food_log.created", {"food_log_id": uuid.uuid4(), **common, "after": {
            "eaten_at": at, "meal": "breakfast", "food_name": "oats", "grams": 80, "kcal": 300, "protein_g": 10,
            "carbs_g": 50, "fat_g": 6}}, user_id),
        workout_event(user_id, uuid.uuid4()),
        new_event("habit.created", {"habit_id": habit_id, **common, "after": {
            "name": "stretch", "schedule": "daily", "target_count": 1}}, user_id),
        new_event("check_in.created", {"check_in_id": uuid.uuid4(), **common, "after": {
            "habit_id": habit_id, "date": at.date(), "count": 1}}, user_id),
        new_event("food.photo_uploaded", {
            "job_id": job_id, **common, "object_key": f"food-photos/{user_id}/{job_id}.jpg",
            "content_type": "image/jpeg", "after": {"status": "pending", "content_type": "image/jpeg"}}, user_id),
    ]
