"""AES-256-GCM of journal text: round trip, fresh nonces, bound to owner and date, key rotation."""

import base64
import os
import uuid
from datetime import date

import pytest

from fitjourney_core.journal.crypto import JournalCipher, JournalDecryptionError

USER = uuid.uuid4()
DAY = date(2024, 5, 1)
KEY = os.urandom(32)


def test_round_trip_and_a_fresh_nonce_per_write() -> None:
    cipher = JournalCipher({1: KEY})
    first = cipher.encrypt("Ran 5 km, felt great", USER, DAY)
    second = cipher.encrypt("Ran 5 km, felt great", USER, DAY)
    assert first != second  # a new 96-bit nonce each time
    assert first[0] == 1 and len(first) == 1 + 12 + len(b"Ran 5 km, felt great") + 16
    assert b"Ran 5 km" not in first
    assert cipher.decrypt(first, USER, DAY) == cipher.decrypt(second, USER, DAY) == "Ran 5 km, felt great"


@pytest.mark.parametrize(("user", "day"), [(uuid.uuid4(), DAY), (USER, date(2024, 5, 2))])
def test_a_ciphertext_moved_to_another_row_does_not_decrypt(user: uuid.UUID, day: date) -> None:
    cipher = JournalCipher({1: KEY})
    sealed = cipher.encrypt("private", USER, DAY)
    with pytest.raises(JournalDecryptionError):
        cipher.decrypt(sealed, user, day)


def test_tampering_is_detected() -> None:
    cipher = JournalCipher({1: KEY})
    sealed = bytearray(cipher.encrypt("private", USER, DAY))
    sealed[-1] ^= 1
    with pytest.raises(JournalDecryptionError):
        cipher.decrypt(bytes(sealed), USER, DAY)


def test_keys_rotate_by_id() -> None:
    old = JournalCipher({1: KEY})
    sealed_with_old = old.encrypt("written last year", USER, DAY)
    new_key = os.urandom(32)
    rotated = JournalCipher({1: KEY, 2: new_key}, current_key_id=2)
    assert rotated.decrypt(sealed_with_old, USER, DAY) == "written last year"
    fresh = rotated.encrypt("written today", USER, DAY)
    assert fresh[0] == 2
    with pytest.raises(JournalDecryptionError):
        old.decrypt(fresh, USER, DAY)  # key 2 unknown to the old ring


def test_bad_key_rings_are_refused() -> None:
    with pytest.raises(ValueError):
        JournalCipher({1: b"short"})
    with pytest.raises(ValueError):
        JournalCipher({1: KEY}, current_key_id=3)


def test_rotation_through_settings_keeps_old_entries_readable() -> None:
    from fitjourney_core.journal.service import cipher_from
    from fitjourney_core.settings import CoreSettings

    old_key, new_key = base64.b64encode(os.urandom(32)).decode(), base64.b64encode(os.urandom(32)).decode()
    user, day = uuid.uuid4(), date(2026, 3, 1)
    before = cipher_from(CoreSettings(journal_encryption_key=old_key))
    sealed_before = before.encrypt("before rotation", user, day)

    after = cipher_from(CoreSettings(journal_encryption_key=new_key, journal_key_id=2,
                                     journal_previous_keys={1: old_key}))
    assert after.decrypt(sealed_before, user, day) == "before rotation"
    sealed_after = after.encrypt("after rotation", user, day)
    assert sealed_after[0] == 2
    with pytest.raises(JournalDecryptionError):
        before.decrypt(sealed_after, user, day)


def test_previous_keys_must_be_aes_256() -> None:
    from fitjourney_core.settings import CoreSettings

    with pytest.raises(ValueError, match="JOURNAL_PREVIOUS_KEYS"):
        CoreSettings(journal_previous_keys={1: base64.b64encode(b"short").decode()})
