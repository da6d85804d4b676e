"""Draws one user's history as table rows (and their sync-feed changes), ready to be inserted in bulk.

Pure: no database. The same seed gives the same history, so demo data and benchmarks are repeatable.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fitjourney_core.activities.catalogue import find_activity
from fitjourney_core.body_metrics.schemas import BodyMetricRead
from fitjourney_core.body_metrics.service import BODY_METRICS
from fitjourney_core.demo.plan import HABIT_PLAN, JOURNAL_LINES, MEAL_HOURS, MEALS, WEEK, FoodChoice
from fitjourney_core.food_logs.nutrition import per_100g
from fitjourney_core.food_logs.schemas import FoodLogRead
from fitjourney_core.food_logs.service import FOOD_LOGS
from fitjourney_core.habits.models import Habit
from fitjourney_core.habits.schemas import CheckInRead
from fitjourney_core.habits.service import CHECK_INS, HABITS
from fitjourney_core.habits.service import to_read as habit_to_read
from fitjourney_core.journal.crypto import JournalCipher
from fitjourney_core.journal.schemas import JournalRead
from fitjourney_core.journal.service import JOURNAL
from fitjourney_core.workouts.schemas import WorkoutRead
from fitjourney_core.workouts.service import WORKOUTS
from fitjourney_core.writes.service import ResourceKind

# Kilograms lost per day on the way to the goal (0.5 kg a week), and the day-to-day scatter of a scale.
WEIGHT_TREND_PER_DAY = 0.5 / 7
WEIGHT_NOISE_KG = 0.35


@dataclass(frozen=True)
class CatalogueFood:
    """A catalogue food the plan resolved to, with what a log needs of it."""

    id: uuid.UUID
    name: str
    kcal_per_100g: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float
    portions: list[dict[str, Any]]


@dataclass(frozen=True)
class Lifecycle:
    kind: ResourceKind
    row: dict[str, Any]
    dates: list[date]
    extra: dict[str, Any] | None


@dataclass
class History:
    user_id: uuid.UUID
    profile: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    # (changed_at, resource, resource id, payload, version): the sync feed in the order things happened.
    changes: list[tuple[datetime, str, uuid.UUID, dict[str, Any], int]] = field(default_factory=list)
    # What each row's `<resource>.created` event needs: its kind, the local dates it touches, extra fields.
    lifecycle: list[Lifecycle] = field(default_factory=list)

    def add(self, table: str, kind: ResourceKind, row: dict[str, Any], payload: dict[str, Any], at: datetime,
            dates: list[date], extra: dict[str, Any] | None = None) -> None:
        self.rows[table].append(row)
        self.changes.append((at, kind.name, row["id"], payload, row["version"]))
        self.lifecycle.append(Lifecycle(kind, row, dates, extra))

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


def _owned(user_id: uuid.UUID, at: datetime) -> dict[str, Any]:
    return {"id": uuid.uuid4(), "user_id": user_id, "version": 1, "created_at": at, "updated_at": at,
            "deleted_at": None}


def _at(day: date, hour: float, zone: ZoneInfo, rng: random.Random, jitter_min: int = 25) -> datetime:
    minutes = int(hour * 60) + rng.randint(-jitter_min, jitter_min)
    local = datetime.combine(day, time(0), zone) + timedelta(minutes=minutes)
    return local.astimezone(UTC)


def _grams(choice: FoodChoice, food: CatalogueFood, quantity: float) -> tuple[float, str | None, float | None]:
    wanted = choice.portion
    for portion in food.portions if wanted is not None else ():
        name = str(portion["name"]).lower()
        # USDA names qualify a portion ("medium (7\" to 7-7/8\" long)", "cup, chopped"): its first word decides.
        if name == wanted or name.startswith((f"{wanted} ", f"{wanted},")):
            return round(float(portion["grams"]) * quantity, 1), str(portion["name"]), quantity
    return round(choice.grams * quantity, 1), None, None


def draw_history(
    user_id: uuid.UUID, *, days: int, now: datetime, time_zone: str, foods: dict[str, tuple[FoodChoice, CatalogueFood]],
    cipher: JournalCipher, rng: random.Random, display_name: str | None = None,
) -> History:
    """`days` days of life ending `now` (today only up to now) for a person losing weight slowly."""
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    start_weight = round(rng.uniform(72.0, 96.0), 1)
    height = round(rng.uniform(158.0, 192.0))
    sex = rng.choice(("female", "male"))
    joined = _at(first, 7.0, zone, rng)
    history = History(user_id=user_id, profile={
        "user_id": user_id, "display_name": display_name, "birth_date": date(rng.randint(1970, 2002),
                                                                               rng.randint(1, 12), rng.randint(1, 28)),
        "sex": sex, "height_cm": float(height), "activity_level": "moderate", "goal": "lose",
        "target_weight_kg": round(start_weight - rng.uniform(5.0, 9.0), 1), "weekly_rate_kg": 0.5, "units": "metric",
        "time_zone": time_zone, "avatar_key": None, "version": 1, "created_at": joined, "updated_at": joined,
        "deleted_at": None,
    })

    habits: list[tuple[dict[str, Any], float]] = []
    for name, schedule, target, rate in HABIT_PLAN:
        row = {**_owned(user_id, joined), "name": name, "schedule": schedule, "target_count": target}
        habits.append((row, rate))
    counts: dict[uuid.UUID, dict[date, int]] = {row["id"]: {} for row, _ in habits}

    for offset in range(days):
        day = first + timedelta(days=offset)
        # The last few days are always logged and keep the habits, so someone looking sees a running streak.
        recent = (today - day).days < 5
        weight = start_weight - WEIGHT_TREND_PER_DAY * offset + rng.gauss(0.0, WEIGHT_NOISE_KG)
        _weigh_in(history, day, zone, rng, weight, now)
        _workout(history, day, zone, rng, weight, now)
        _meals(history, day, zone, rng, foods, now, skip_allowed=not recent)
        for row, rate in habits:
            scheduled = row["schedule"] == "daily" or day.strftime("%a").lower() in row["schedule"].split(",")
            if scheduled and (recent or rng.random() < rate) and _at(day, 21.0, zone, rng) <= now:
                _check_in(history, row, day, zone, rng, counts)
        if rng.random() < 0.6 and _at(day, 21.5, zone, rng) <= now:
            _journal(history, day, zone, rng, cipher)

    for row, _rate in habits:
        habit = Habit(**row)
        read = habit_to_read(habit, counts[row["id"]], today)
        history.add("habits", HABITS, row, read.model_dump(mode="json"), joined, [])
    history.changes.sort(key=lambda change: change[0])
    return history


def _weigh_in(history: History, day: date, zone: ZoneInfo, rng: random.Random, weight: float, now: datetime) -> None:
    at = _at(day, 7.0, zone, rng, 30)
    if rng.random() > 0.8 or at > now:
        return
    row = {**_owned(history.user_id, at), "measured_at": at, "weight_kg": round(weight, 1),
           "body_fat_pct": round(rng.uniform(22.0, 30.0), 1) if rng.random() < 0.2 else None,
           "waist_cm": None, "hip_cm": None, "chest_cm": None,
           "resting_hr": rng.randint(52, 68) if rng.random() < 0.5 else None}
    history.add("body_metrics", BODY_METRICS, row, BodyMetricRead.model_validate(row).model_dump(mode="json"), at,
                [day])


def _workout(history: History, day: date, zone: ZoneInfo, rng: random.Random, weight: float, now: datetime) -> None:
    plan = WEEK[day.weekday()]
    if plan is None or rng.random() < 0.2:
        return
    activity = find_activity(plan.activity)
    at = _at(day, plan.hour, zone, rng)
    if activity is None or at > now:
        return
    minutes = float(rng.randint(*plan.minutes))
    distance = round(plan.speed_kmh * rng.uniform(0.85, 1.1) * minutes / 60, 2) if plan.speed_kmh else None
    # Gross energy, MET * kg * h (the estimator's formula without heart rate).
    kcal = round(activity.met * weight * minutes / 60, 1)
    row = {**_owned(history.user_id, at), "activity": activity.code, "started_at": at, "duration_min": minutes,
           "distance_km": distance, "avg_heart_rate": rng.randint(115, 160) if rng.random() < 0.6 else None,
           "perceived_effort": rng.randint(3, 8), "notes": None, "exercises": [], "calories_burned": kcal,
           "calories_status": "estimated", "calories_method": "met", "calories_met": activity.met,
           "calories_net": round((activity.met - 1) * weight * minutes / 60, 1), "calories_notes": [],
           "estimate_revision": 1}
    # Already estimated: the estimator is not asked again (estimate_needed False), read models still learn of it.
    inputs = {key: row[key] for key in ("activity", "duration_min", "distance_km", "avg_heart_rate",
                                        "perceived_effort", "started_at", "estimate_revision")}
    history.add("workouts", WORKOUTS, row, WorkoutRead.model_validate(row).model_dump(mode="json"), at, [day],
                {**inputs, "weight_kg": round(weight, 1), "estimate_needed": False})


def _meals(
    history: History, day: date, zone: ZoneInfo, rng: random.Random,
    foods: dict[str, tuple[FoodChoice, CatalogueFood]], now: datetime, *, skip_allowed: bool,
) -> None:
    if skip_allowed and rng.random() < 0.05:  # a day nothing was logged
        return
    for meal, options in MEALS.items():
        if meal == "snack" and rng.random() < 0.3:
            continue
        at = _at(day, MEAL_HOURS[meal], zone, rng)
        for key, quantity in rng.choice(options):
            _log_food(history, foods, key, quantity, meal, at, now, zone)
    for glass in range(rng.randint(3, 8)):  # water, a glass at a time through the day
        _log_food(history, foods, "water", 1, "snack", _at(day, 8.0 + glass * 1.8, zone, rng, 20), now, zone)


def _log_food(
    history: History, foods: dict[str, tuple[FoodChoice, CatalogueFood]], key: str, quantity: float, meal: str,
    at: datetime, now: datetime, zone: ZoneInfo,
) -> None:
    if key not in foods or at > now:
        return
    choice, food = foods[key]
    grams, portion, portion_quantity = _grams(choice, food, quantity)
    nutrients = per_100g(food, grams).as_dict()
    row = {**_owned(history.user_id, at), "eaten_at": at, "food_id": food.id, "food_name": food.name,
           "grams": grams, "portion": portion, "quantity": portion_quantity, "meal": meal, **nutrients,
           "source": "manual", "photo_job_id": None}
    history.add("food_logs", FOOD_LOGS, row, FoodLogRead.model_validate(row).model_dump(mode="json"), at,
                [at.astimezone(zone).date()])


def _check_in(
    history: History, habit: dict[str, Any], day: date, zone: ZoneInfo, rng: random.Random,
    counts: dict[uuid.UUID, dict[date, int]],
) -> None:
    at = _at(day, 21.0, zone, rng, 60)
    row = {**_owned(history.user_id, at), "date": day, "habit_id": habit["id"], "count": habit["target_count"]}
    counts[habit["id"]][day] = habit["target_count"]
    history.add("habit_check_ins", CHECK_INS, row, CheckInRead.model_validate(row).model_dump(mode="json"), at,
                [day])


def _journal(history: History, day: date, zone: ZoneInfo, rng: random.Random, cipher: JournalCipher) -> None:
    at = _at(day, 21.5, zone, rng, 45)
    text, tags = rng.choice(JOURNAL_LINES)
    row = {**_owned(history.user_id, at), "date": day, "mood": rng.randint(2, 5), "energy": rng.randint(2, 5),
           "text_encrypted": cipher.encrypt(text, history.user_id, day), "tags": list(tags)}
    # The feed carries entries without their text (it is stored unencrypted), as the journal does.
    payload = JournalRead.model_validate({**row, "text": text}).model_dump(mode="json", exclude={"text"})
    history.add("journal_entries", JOURNAL, row, payload, at, [day])
