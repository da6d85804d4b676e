"""Helpers the analytics tests import (not named conftest: every suite has one, and they run together)."""

from __future__ import annotations

from pathlib import Path

SERVICE_DIR = Path(__file__).resolve().parents[1]
CORE_DIR = SERVICE_DIR.parent / "core"
AUTH_DIR = SERVICE_DIR.parent / "auth"
AI_DIR = SERVICE_DIR.parent / "ai"
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"


