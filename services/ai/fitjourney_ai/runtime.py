"""ai's runtime: the backends it declares (database, outbox, object store) plus the food recogniser and
the OpenAI client, what a request, an event handler and the worker all receive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fitjourney_ai.db import SCHEMA, OutboxMessage
from fitjourney_ai.recognition.recognizer import FoodRecognizer
from fitjourney_ai.settings import AiSettings
from fitjourney_common.runtime import BackendNeeds, Runtime

if TYPE_CHECKING:
    from openai import AsyncOpenAI

NEEDS = BackendNeeds(schema=SCHEMA, outbox_model=OutboxMessage, object_store=True)


@dataclass(kw_only=True)
class AiRuntime(Runtime[AiSettings]):
    recognizer: FoodRecognizer
    # None without OPENAI_API_KEY: insights then use the template summary.
    openai: AsyncOpenAI | None

    def capabilities(self) -> dict[str, dict[str, Any]]:
        recognizer = self.recognizer
        return {
            "food_recognition": {"available": recognizer.status == "ready", "reason": recognizer.reason,
                                 "model_version": recognizer.version},
            "openai_insights": {"available": self.openai is not None,
                                "reason": None if self.openai else "OPENAI_API_KEY is not set: template summaries"},
        }


def ai_runtime(runtime: Any) -> AiRuntime:
    assert isinstance(runtime, AiRuntime)
    return runtime


def create_openai(settings: AiSettings) -> AsyncOpenAI | None:
    # `openai` (13 MiB resident with its types) is imported only by a process configured to use it.
    if not settings.openai_api_key:
        return None
    from openai import AsyncOpenAI

    return AsyncOpenAI(api_key=settings.openai_api_key, base_url=settings.openai_base_url,
                       timeout=settings.openai_timeout_seconds, max_retries=settings.openai_max_retries)
