"""Core settings: the journal key is 32 bytes of base64, and dev defaults are refused in production."""

from __future__ import annotations

import base64
import os

import pytest
from pydantic import ValidationError

from fitjourney_core.settings import CoreSettings


def test_dev_default_journal_key_is_a_stable_32_byte_key() -> None:
    settings = CoreSettings(environment="dev")
    assert len(settings.journal_key_bytes) == 32
    assert settings.journal_key_bytes == CoreSettings(environment="test").journal_key_bytes


def test_production_refuses_the_dev_journal_key() -> None:
    with pytest.raises(ValidationError, match="JOURNAL_ENCRYPTION_KEY"):
        CoreSettings(environment="production", object_url_secret="set-by-ops")


def test_production_accepts_a_real_key_and_rejects_a_short_one() -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    settings = CoreSettings(environment="production", object_url_secret="set-by-ops", journal_encryption_key=key)
    assert settings.journal_key_bytes == base64.b64decode(key)
    with pytest.raises(ValidationError, match="32 bytes"):
        CoreSettings(journal_encryption_key=base64.b64encode(os.urandom(16)).decode())
