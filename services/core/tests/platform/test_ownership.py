"""Another user's resource answers 404 on read, update and delete, for every resource, and stays intact."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from core_resources import CREATABLE, Resource


@pytest.mark.parametrize("kind", CREATABLE, ids=[kind.name for kind in CREATABLE])
async def test_another_users_record_is_404_and_untouched(
    client: httpx.AsyncClient, auth_headers: Any, other_auth_headers: Any, kind: type[Resource],
) -> None:
    mine = kind(client, auth_headers)
    created = (await mine.create()).json()
    theirs = mine.as_user(other_auth_headers)

    not_found = await theirs.read(created)
    assert not_found.status_code == 404
    # The detail speaks the client's language, never an internal table name.
    assert "_" not in not_found.json()["detail"], not_found.json()
    assert (await theirs.delete(created)).status_code == 404
    # (A journal date is a slot every user has: their PUT writes their own entry, never this one.)
    assert (await theirs.update(created, 1)).status_code == kind.other_update_status

    # The owner's record is exactly as it was: same version, no change applied.
    after = await mine.read(created)
    assert after.status_code == 200
    assert after.json()["version"] == created["version"] and not mine.shows(after.json(), 1)
