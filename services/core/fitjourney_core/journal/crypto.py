"""AES-256-GCM for journal text: a random 96-bit nonce per write, the owner and date bound in as
associated data (a ciphertext copied to another row does not decrypt), and a key id byte for rotation.

Stored form: key id (1 byte) || nonce (12 bytes) || ciphertext with its 16-byte tag.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from datetime import date

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32
CURRENT_KEY_ID = 1


class JournalDecryptionError(Exception):
    """The text cannot be decrypted: unknown key id, wrong key, tampered data or moved to another row."""


def associated_data(user_id: uuid.UUID, day: date) -> bytes:
    return f"fitjourney.journal:v1:{user_id}:{day.isoformat()}".encode()


class JournalCipher:
    """Encrypts with the current key; decrypts with whichever key of the ring the stored id names."""

    def __init__(self, keys: Mapping[int, bytes], current_key_id: int = CURRENT_KEY_ID) -> None:
        for key_id, key in keys.items():
            if not 0 <= key_id <= 255 or len(key) != KEY_BYTES:
                raise ValueError("journal keys are 32 bytes, with ids 0..255")
        if current_key_id not in keys:
            raise ValueError("the current journal key id is not in the key ring")
        self._keys = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current_key_id = current_key_id

    def encrypt(self, text: str, user_id: uuid.UUID, day: date) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self.current_key_id].encrypt(nonce, text.encode(), associated_data(user_id, day))
        return bytes([self.current_key_id]) + nonce + sealed

    def decrypt(self, blob: bytes, user_id: uuid.UUID, day: date) -> str:
        if len(blob) < 1 + NONCE_BYTES + 16:
            raise JournalDecryptionError("ciphertext too short")
        key = self._keys.get(blob[0])
        if key is None:
            raise JournalDecryptionError(f"no journal key with id {blob[0]}")
        try:
            plain = key.decrypt(blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:], associated_data(user_id, day))
        except InvalidTag as exc:
            raise JournalDecryptionError("authentication failed") from exc
        return plain.decode()
