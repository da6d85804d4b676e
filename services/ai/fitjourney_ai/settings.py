"""Settings of the ai service, read from the environment only."""

from __future__ import annotations

from pydantic import Field

from fitjourney_common.settings import DEV_DATA_DIR, CommonSettings

MIB = 1024 * 1024


class AiSettings(CommonSettings):
    """ai's own knobs on top of the shared ones (DATABASE_URL, REDIS_URL, BROKER_URL, OBJECT_STORE_URL ...)."""

    service_name: str = "ai"
    # DESIGN §5: the AI endpoints are expensive, 10 requests a minute per user.
    rate_limit_api: str = "10/minute"

    # The food model bundle: a folder (`file://…` or a path) or an object-store prefix (`s3://bucket/prefix`).
    food_model_uri: str = f"file://{DEV_DATA_DIR}/models/food"
    # Concurrent photos are classified together: up to this many per forward pass (those that queued during the
    # previous one), plus those arriving within the wait; 0 sends a lone photo through at once.
    food_batch_size: int = Field(default=16, ge=1, le=256)
    food_batch_wait_ms: float = Field(default=0.0, ge=0, le=1000)
    # ONNX Runtime's threads for one forward pass (batches run one at a time, off the event loop).
    food_inference_threads: int = Field(default=1, ge=1, le=64)
    photo_max_bytes: int = Field(default=10 * MIB, ge=1024)
    max_image_pixels: int = Field(default=40_000_000, ge=1)

    # Insights: OpenAI-compatible chat completions; without a key the template summary is used.
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    openai_max_retries: int = Field(default=2, ge=0, le=10)
    insights_cache_seconds: int = Field(default=6 * 3600, ge=0)
