"""Settings of the core service, read from the environment only."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from fitjourney_common.settings import DEV_SECRET, CommonSettings

MIB = 1024 * 1024


class CoreSettings(CommonSettings):
    """Core's own knobs on top of the shared ones (DATABASE_URL, REDIS_URL, BROKER_URL, ...)."""

    service_name: str = "core"

    # AES-256-GCM key for journal text: base64 of 32 random bytes (`openssl rand -base64 32`).
    # The dev default is the shared dev placeholder, which CommonSettings refuses outside dev/test.
    journal_encryption_key: str = DEV_SECRET
    # Key rotation: the id stored with every new ciphertext, and the retired keys (JSON object of id →
    # base64 key, e.g. JOURNAL_PREVIOUS_KEYS='{"1": "..."}') that still decrypt older entries.
    journal_key_id: int = Field(default=1, ge=0, le=255)
    journal_previous_keys: dict[int, str] = Field(default_factory=dict)

    summary_cache_ttl_seconds: int = Field(default=300, ge=1)
    avatar_max_bytes: int = Field(default=5 * MIB, ge=1024)
    photo_max_bytes: int = Field(default=10 * MIB, ge=1024)
    # Decompression-bomb guard: an image header announcing more pixels than this is refused unread.
    max_image_pixels: int = Field(default=40_000_000, ge=1)
    avatar_max_side_px: int = Field(default=1024, ge=64)
    presigned_url_seconds: int = Field(default=900, ge=1, le=7 * 24 * 3600)
    partition_months_ahead: int = Field(default=3, ge=0, le=24)
    # Long-running replicas re-create partitions ahead this often (the DEFAULT partition catches the rest).
    partition_maintenance_seconds: float = Field(default=12 * 3600, gt=0)
    ws_auth_timeout_seconds: float = Field(default=10.0, gt=0)
    # A data export that has not finished by then failed; a pending one older than that no longer blocks
    # a new request (the replica running it may have died).
    export_timeout_seconds: float = Field(default=900.0, gt=0, le=24 * 3600)
    # The other services whose part (`user.export_part_ready`) every export waits for, comma-separated
    # (EXPORT_PARTICIPANTS=auth,analytics,ai). A service joins with `fitjourney_common.gdpr`.
    export_participants: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # How long an export waits for those parts before it fails, naming the services that did not answer.
    export_parts_timeout_seconds: float = Field(default=300.0, gt=0, le=24 * 3600)

    @field_validator("export_participants", mode="before")
    @classmethod
    def _participants_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("journal_encryption_key")
    @classmethod
    def _journal_key_is_32_bytes(cls, value: str) -> str:
        return value if value == DEV_SECRET else _check_aes_key("JOURNAL_ENCRYPTION_KEY", value)

    @field_validator("journal_previous_keys")
    @classmethod
    def _previous_keys_are_32_bytes(cls, value: dict[int, str]) -> dict[int, str]:
        for key_id, key in value.items():
            if not 0 <= key_id <= 255:
                raise ValueError("JOURNAL_PREVIOUS_KEYS ids are 0..255")
            _check_aes_key(f"JOURNAL_PREVIOUS_KEYS[{key_id}]", key)
        return value

    @property
    def journal_key_bytes(self) -> bytes:
        """The 32-byte AES key; in dev/test derived from the placeholder so `make dev` needs no setup."""
        if self.journal_encryption_key == DEV_SECRET:
            return hashlib.sha256(b"fitjourney-dev-journal-key:" + DEV_SECRET.encode()).digest()
        return base64.b64decode(self.journal_encryption_key)

    @property
    def journal_key_ring(self) -> dict[int, bytes]:
        """Every key that may have sealed a stored entry, the current one under `journal_key_id`."""
        ring = {key_id: base64.b64decode(key) for key_id, key in self.journal_previous_keys.items()}
        ring[self.journal_key_id] = self.journal_key_bytes
        return ring


def _check_aes_key(name: str, value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{name} must be base64") from exc
    if len(raw) != 32:
        raise ValueError(f"{name} must decode to 32 bytes (AES-256)")
    return value
