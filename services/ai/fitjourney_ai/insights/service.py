"""Insight rules: a period's aggregates, summarised by the OpenAI API or, failing that, by the template."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.calories.compendium import activities
from fitjourney_ai.insights.cache import cache_key, cached, remember
from fitjourney_ai.insights.schemas import InsightRead
from fitjourney_ai.insights.summary import PERIOD_DAYS, Period, PeriodNumbers, messages, template_summary
from fitjourney_ai.readmodel import repository
from fitjourney_ai.recommendations.compute import WEEKDAYS
from fitjourney_ai.recommendations.service import parse_schedule
from fitjourney_ai.runtime import AiRuntime
from fitjourney_ai.shared import user_today
from fitjourney_ai.trends.service import to_profile
from fitjourney_ai.trends.targets import formula_targets

log = logging.getLogger(__name__)
MAX_SUMMARY_CHARS = 1200


async def period_numbers(session: AsyncSession, user_id: uuid.UUID, period: Period) -> PeriodNumbers:
    row = await repository.profile(session, user_id)
    end = user_today(row)
    start = end - dt.timedelta(days=PERIOD_DAYS[period] - 1)
    food = await repository.daily_food(session, user_id, start, end)
    weights = await repository.weigh_ins(session, user_id, start, end)
    workouts = await repository.workouts(session, user_id, start, end)
    habits = await repository.habits(session, user_id)
    check_ins = await repository.check_ins(session, user_id, start, end)
    profile = to_profile(row)
    targets = formula_targets(profile, weights[-1][1], end) if profile and weights else None
    logged = [values for values in food.values() if values[0] > 0]
    catalogue = activities()
    categories = Counter(catalogue[w.activity].category if w.activity in catalogue else "other" for w in workouts)
    due = sum(1 for habit in habits for offset in range((end - start).days + 1)
              if WEEKDAYS[(start + dt.timedelta(days=offset)).weekday()] in parse_schedule(habit.schedule))
    targets_by_habit = {h.id: h.target_count for h in habits}
    kept = sum(1 for c in check_ins if c.habit_id in targets_by_habit and c.count >= targets_by_habit[c.habit_id])
    return PeriodNumbers(
        period=period, start=start, end=end, days=PERIOD_DAYS[period], days_with_food_logged=len(logged),
        mean_intake_kcal=round(sum(k for k, _ in logged) / len(logged), 0) if logged else None,
        kcal_target=round(targets.target_kcal, 0) if targets else None,
        mean_protein_g=round(sum(p for _, p in logged) / len(logged), 1) if logged else None,
        protein_target_g=round(targets.protein_g, 1) if targets else None,
        workouts=len(workouts), workout_minutes=round(sum(w.duration_min for w in workouts), 0),
        workout_kcal=round(sum(w.calories_burned or 0.0 for w in workouts), 0),
        workout_categories=dict(categories),
        weight_start_kg=weights[0][1] if weights else None, weight_end_kg=weights[-1][1] if weights else None,
        habit_check_ins=min(kept, due), habit_due=due,
    )


async def _ask_openai(runtime: AiRuntime, numbers: PeriodNumbers) -> str:
    assert runtime.openai is not None
    completion = await runtime.openai.chat.completions.create(
        model=runtime.settings.openai_model, messages=messages(numbers),  # type: ignore[arg-type]
        max_tokens=250, temperature=0.4,
    )
    text = (completion.choices[0].message.content or "").strip() if completion.choices else ""
    if not text:
        raise ValueError("the model answered with no text")
    return text[:MAX_SUMMARY_CHARS]


async def insight_for(session: AsyncSession, runtime: AiRuntime, user_id: uuid.UUID, period: Period) -> InsightRead:
    """Cached per user, period and day; OpenAI when configured, the template without a key or on an error."""
    numbers = await period_numbers(session, user_id, period)
    key = cache_key(user_id, period, numbers.end)
    hit = await cached(runtime.redis, key)
    if hit is not None:
        return hit
    as_dict = json.loads(numbers.as_prompt_json())
    base = {"period": period, "start": numbers.start, "end": numbers.end, "numbers": as_dict}
    if runtime.openai is None:
        return InsightRead(**base, summary=template_summary(numbers), source="template",
                           fallback_reason="OPENAI_API_KEY is not set")
    from openai import OpenAIError  # imported already with the client (runtime.create_openai)

    try:
        text = await _ask_openai(runtime, numbers)
    except (OpenAIError, ValueError) as exc:
        log.warning("OpenAI summary failed, template used: %r", exc)
        return InsightRead(**base, summary=template_summary(numbers), source="template",
                           fallback_reason=f"the OpenAI API failed: {type(exc).__name__}")
    insight = InsightRead(**base, summary=text, source="openai", model=runtime.settings.openai_model)
    await remember(runtime.redis, key, insight, runtime.settings.insights_cache_seconds)
    return insight


