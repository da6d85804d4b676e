"""Insights against a local OpenAI-compatible server: what is sent (aggregates only), how the answer is
used and cached, and the template when the API fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from ai_conftest import asgi_client, start_app
from fake_openai import FakeOpenAI, serve_fake_openai


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    yield from serve_fake_openai()


async def test_the_summary_comes_from_the_api_and_is_cached(settings: Any, fake_openai: FakeOpenAI,
                                                            make_headers: Any) -> None:
    configured = settings.model_copy(update={
        "openai_api_key": "sk-test", "openai_base_url": fake_openai.base_url, "openai_model": "test-model",
        "openai_max_retries": 0, "run_event_worker": False})
    headers = make_headers(None)
    async for app in start_app(configured):
        async with asgi_client(app) as client:
            first = (await client.get("/api/v1/ai/insights?period=week", headers=headers)).json()
            second = (await client.get("/api/v1/ai/insights?period=week", headers=headers)).json()
            fake_openai.fail = True
            month = (await client.get("/api/v1/ai/insights?period=month", headers=headers)).json()
            fake_openai.fail = False
            bad = await client.get("/api/v1/ai/insights?period=year", headers=headers)
    assert first["source"] == "openai" and first["summary"] == "A steady week: keep it up."
    assert first["model"] == "test-model" and first["cached"] is False
    assert second["cached"] is True and second["summary"] == first["summary"]
    sent = fake_openai.requests[0]
    assert sent["auth"] == "Bearer sk-test" and sent["body"]["model"] == "test-model"
    payload = json.loads(sent["body"]["messages"][1]["content"].split(": ", 1)[1])
    assert set(payload) == set(first["numbers"]) and "email" not in json.dumps(sent["body"])
    assert len([r for r in fake_openai.requests if "week" in r["body"]["messages"][1]["content"]]) == 1
    # The API failing: the template from the same numbers, and the response says so.
    assert month["source"] == "template" and "InternalServerError" in month["fallback_reason"]
    assert "No food was logged" in month["summary"]
    assert bad.status_code == 422


async def test_without_a_key_the_template_says_why(client: httpx.AsyncClient, auth_headers: Any) -> None:
    body = (await client.get("/api/v1/ai/insights", headers=auth_headers)).json()
    assert body["source"] == "template" and body["fallback_reason"] == "OPENAI_API_KEY is not set"
    trends = (await client.get("/api/v1/ai/trends", headers=auth_headers)).json()
    assert trends["estimated_expenditure_kcal"] is None and len(trends["missing"]) == 2
    recommendations = (await client.get("/api/v1/ai/recommendations", headers=auth_headers)).json()
    assert [r["kind"] for r in recommendations["items"]] == ["activity"]
