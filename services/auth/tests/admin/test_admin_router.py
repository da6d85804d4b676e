"""Admin endpoints (401 without a token, 403 without the role), role changes and their event, the CLI."""

from __future__ import annotations

import asyncio
import io
import uuid

from auth_helpers import (
    PASSWORD,
    PREFIX,
    SERVICE_DIR,
    asgi_client,
    assert_problem,
    fetch,
    make_admin,
    register,
    running_app,
    signed_in,
    unique_email,
)
from jose import jwt

from fitjourney_auth.cli import main as cli_main
from fitjourney_common.testing.postgres import migrate, temporary_database


async def test_admin_endpoints_need_a_token(client):
    assert_problem(await client.get(f"{PREFIX}/users"), 401)
    assert_problem(await client.patch(f"{PREFIX}/users/{uuid.uuid4()}/roles", json={"roles": ["coach"]}), 401)


async def test_admin_endpoints_are_forbidden_to_users_and_coaches(client, app):
    admin = await make_admin(app, client)
    user = await signed_in(client)
    coach = await signed_in(client)
    granted = await client.patch(f"{PREFIX}/users/{coach.id}/roles", json={"roles": ["coach"]}, headers=admin.headers)
    assert granted.status_code == 200
    coach.access_token = (await client.post(f"{PREFIX}/refresh", json={"refresh_token": coach.refresh_token})
                          ).json()["access_token"]
    assert jwt.get_unverified_claims(coach.access_token)["roles"] == ["coach", "user"]

    for caller in (user, coach):
        assert_problem(await client.get(f"{PREFIX}/users", headers=caller.headers), 403)
        response = await client.patch(f"{PREFIX}/users/{caller.id}/roles", json={"roles": ["admin"]},
                                      headers=caller.headers)
        assert_problem(response, 403)
    assert (await client.get(f"{PREFIX}/me", headers=user.headers)).json()["roles"] == ["user"]
    assert (await client.get(f"{PREFIX}/me", headers=coach.headers)).json()["roles"] == ["user", "coach"]


async def test_admin_lists_users_page_by_page(client, app):
    admin = await make_admin(app, client)
    prefix = f"paged-{uuid.uuid4().hex[:8]}"
    created = [await register(client, email=f"{prefix}.{i}@example.com") for i in range(3)]

    first = await client.get(f"{PREFIX}/users", params={"limit": 2, "email": prefix}, headers=admin.headers)
    assert first.status_code == 200
    page = first.json()
    assert [u["id"] for u in page["items"]] == [c.id for c in created[:2]]
    assert {"id", "email", "display_name", "roles", "created_at", "has_password"} <= set(page["items"][0])
    second = await client.get(f"{PREFIX}/users", params={"limit": 2, "email": prefix, "cursor": page["next_cursor"]},
                              headers=admin.headers)
    assert [u["id"] for u in second.json()["items"]] == [created[2].id]
    assert second.json()["next_cursor"] is None

    assert_problem(await client.get(f"{PREFIX}/users", params={"cursor": "bogus"}, headers=admin.headers),
                   422, "cursor")
    # NUL cannot even be sent to PostgreSQL: refused up front rather than failing as a 500.
    assert_problem(await client.get(f"{PREFIX}/users", params={"email": "paged\u0000"}, headers=admin.headers),
                   422, "email")
    assert_problem(await client.get(f"{PREFIX}/users", params={"limit": 0}, headers=admin.headers), 422, "limit")


async def test_admin_changes_roles_and_the_change_is_announced(client, app, db, event_tap):
    admin = await make_admin(app, client)
    coach = await signed_in(client)
    response = await client.patch(f"{PREFIX}/users/{coach.id}/roles", json={"roles": ["coach"]},
                                  headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["roles"] == ["user", "coach"]  # every account keeps `user`

    event = await event_tap.wait_for(lambda e: e["type"] == "user.roles_changed" and e["user_id"] == coach.id)
    assert event["data"] == {"user_id": coach.id, "roles": ["user", "coach"]}
    audit = await fetch(db, "select detail from auth.audit_log where user_id = :id and action = 'roles.changed'",
                        id=coach.id)
    assert audit[0]["detail"] == {"old": ["user"], "new": ["user", "coach"], "by": admin_id(admin)}

    # The next access token (after a refresh) carries the new role.
    refreshed = await client.post(f"{PREFIX}/refresh", json={"refresh_token": coach.refresh_token})
    assert jwt.get_unverified_claims(refreshed.json()["access_token"])["roles"] == ["coach", "user"]


def admin_id(admin) -> str:
    return jwt.get_unverified_claims(admin.access_token)["sub"]


async def test_role_changes_are_validated(client, app):
    admin = await make_admin(app, client)
    user = await register(client)
    url = f"{PREFIX}/users/{user.id}/roles"
    assert_problem(await client.patch(url, json={"roles": ["superuser"]}, headers=admin.headers), 422, "roles.0")
    assert_problem(await client.patch(url, json={"roles": []}, headers=admin.headers), 422, "roles")
    assert_problem(await client.patch(url, json={"roles": ["coach"], "x": 1}, headers=admin.headers), 422, "x")
    assert_problem(await client.patch(f"{PREFIX}/users/{uuid.uuid4()}/roles", json={"roles": ["coach"]},
                                      headers=admin.headers), 404)


async def test_create_admin_cli_creates_or_promotes(client, app, db):
    settings = app.state.runtime.settings
    email = unique_email("cli-admin")
    code = await asyncio.to_thread(cli_main, ["create-admin", "--email", email, "--password", PASSWORD,
                                              "--display-name", "Root"], settings)
    assert code == 0
    token = (await client.post(f"{PREFIX}/login", json={"email": email, "password": PASSWORD})).json()["access_token"]
    assert jwt.get_unverified_claims(token)["roles"] == ["admin", "user"]

    existing = await register(client)
    assert await asyncio.to_thread(cli_main, ["create-admin", "--email", existing.email, "--password", "ignored"],
                                   settings) == 0
    rows = await fetch(db, "select roles from auth.users where id = :id", id=existing.id)
    assert rows[0]["roles"] == ["user", "admin"]

    weak = await asyncio.to_thread(cli_main, ["create-admin", "--email", unique_email(), "--password", "weak"],
                                   settings)
    assert weak == 2


async def test_create_admin_reads_the_password_from_stdin(client, app, monkeypatch):
    email = unique_email("stdin-admin")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert await asyncio.to_thread(cli_main, ["create-admin", "--email", email], app.state.runtime.settings) == 0
    assert (await client.post(f"{PREFIX}/login", json={"email": email, "password": PASSWORD})).status_code == 200


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(make_settings):
    """The last-admin rule under a race: each admin counts two admins, so both demotions looked fine.
    A database of its own, so that these two are the only admins."""
    async with temporary_database("fj_auth_admins") as url:
        await migrate(SERVICE_DIR, url)
        async with running_app(make_settings(database_url=url, run_event_worker=False)) as app, \
                asgi_client(app) as http:
            first, second = await make_admin(app, http), await make_admin(app, http)
            first_id, second_id = admin_id(first), admin_id(second)
            answers = await asyncio.gather(
                http.patch(f"{PREFIX}/users/{second_id}/roles", json={"roles": ["user"]}, headers=first.headers),
                http.patch(f"{PREFIX}/users/{first_id}/roles", json={"roles": ["user"]}, headers=second.headers),
            )
            assert sorted(a.status_code for a in answers) == [200, 409]
            assert "last admin" in assert_problem(next(a for a in answers if a.status_code == 409), 409)["detail"]
            survivor = first if answers[0].status_code == 200 else second
            users = (await http.get(f"{PREFIX}/users", headers=survivor.headers)).json()["items"]
            assert [u["id"] for u in users if "admin" in u["roles"]] == [admin_id(survivor)]
