"""The password policy and the hasher's handling of unknown accounts and over-long passwords."""

from __future__ import annotations

import pytest

from fitjourney_auth.passwords import PasswordHasher, check_password_policy
from fitjourney_common.errors import ValidationFailed


@pytest.mark.parametrize("password", ["Correct-Horse-42", "lowercase and spaces", "ÄÖÜäöüß12345", "password1234"])
def test_acceptable_passwords(password):
    check_password_policy(password, "someone@example.com")


@pytest.mark.parametrize(("password", "email", "rule"), [
    ("Aa1!", None, "at least 10"),
    ("abcdefghijkl", None, "two kinds"),
    ("ABCDEFGHIJKL", None, "two kinds"),
    ("!!!!!!!!!!!!", None, "two kinds"),
    ("x" * 40 + "é" * 20, None, "72 bytes"),
    ("Jane.Doe-2024", "jane.doe@example.com", "email"),
    ("my-JO@EXAMPLE.COM", "jo@example.com", "email"),
])
def test_weak_passwords_name_the_rule(password, email, rule):
    with pytest.raises(ValidationFailed) as raised:
        check_password_policy(password, email)
    assert raised.value.extra["errors"][0]["field"] == "password"
    assert rule in raised.value.detail


def test_a_short_local_part_does_not_forbid_common_words():
    check_password_policy("Joyful-Running-7", "jo@example.com")


async def test_hasher_verifies_and_refuses():
    hasher = PasswordHasher(rounds=4)
    hashed = await hasher.hash("Correct-Horse-42")
    assert hashed.startswith("$2b$04$")
    assert await hasher.verify("Correct-Horse-42", hashed) == (True, None)
    assert await hasher.verify("wrong", hashed) == (False, None)
    # Unknown account: a dummy hash is checked so the answer takes as long; it never matches.
    assert await hasher.verify("Correct-Horse-42", None) == (False, None)
    # bcrypt >= 5 raises on more than 72 bytes; a sign-in with such a password is simply wrong.
    assert await hasher.verify("x" * 100, hashed) == (False, None)


async def test_hasher_upgrades_a_hash_of_another_cost():
    old = await PasswordHasher(rounds=4).hash("Correct-Horse-42")
    matches, upgraded = await PasswordHasher(rounds=5).verify("Correct-Horse-42", old)
    assert matches and upgraded is not None and upgraded.startswith("$2b$05$")
