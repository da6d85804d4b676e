"""Embedded dev mode (SQLite, in-process Redis and bus) and the PostgreSQL-only audit log guard."""

from __future__ import annotations

import asyncio

import pytest
from auth_helpers import PASSWORD, PREFIX, SERVICE_DIR, Mailbox, asgi_client, assert_problem, register, running_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from fitjourney_auth.cli import create_admin
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.db.migrations import alembic_config, upgrade_to_head


def _downgrade(database_url: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(SERVICE_DIR, database_url), "base")


async def test_sqlite_migrations_go_up_and_down(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/fitjourney.db"
    await asyncio.to_thread(upgrade_to_head, SERVICE_DIR, url)
    await asyncio.to_thread(_downgrade, url)
    await asyncio.to_thread(upgrade_to_head, SERVICE_DIR, url)
    assert (tmp_path / "fitjourney-auth.db").exists()  # the `auth` schema is an attached file on SQLite


async def test_the_service_runs_embedded_on_sqlite(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/fitjourney.db"
    await asyncio.to_thread(upgrade_to_head, SERVICE_DIR, url)
    settings = AuthSettings(environment="dev", data_dir=tmp_path, database_url=url, redis_url="memory://auth-test",
                            broker_url="memory://auth-test", bcrypt_rounds=4, log_json=False, log_level="WARNING")
    mailbox = Mailbox()
    async with running_app(settings, mailbox) as app, asgi_client(app) as http:
        assert (tmp_path / "keys" / "jwks.json").exists()  # what the other embedded services read

        account = await register(http, with_id=False)  # on SQLite, not the suite's database
        tokens = (await http.post(f"{PREFIX}/login", json={"email": account.email, "password": PASSWORD})).json()
        rotated = await http.post(f"{PREFIX}/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert rotated.status_code == 200
        assert_problem(await http.post(f"{PREFIX}/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
        assert_problem(await http.post(f"{PREFIX}/refresh",
                                       json={"refresh_token": rotated.json()["refresh_token"]}), 401)

        await http.post(f"{PREFIX}/password/forgot", json={"email": account.email})
        assert (await http.post(f"{PREFIX}/password/reset", json={
            "token": mailbox.reset_token(account.email), "new_password": "Brand-New-Secret-7"})).status_code == 204

        # The only admin cannot take the role away from themselves.
        await create_admin(settings, "root@example.com", PASSWORD, None)
        admin = (await http.post(f"{PREFIX}/login", json={"email": "root@example.com", "password": PASSWORD})).json()
        headers = {"Authorization": f"Bearer {admin['access_token']}"}
        me = (await http.get(f"{PREFIX}/me", headers=headers)).json()
        assert_problem(await http.patch(f"{PREFIX}/users/{me['id']}/roles", json={"roles": ["user"]},
                                        headers=headers), 409)
        users = (await http.get(f"{PREFIX}/users", headers=headers)).json()["items"]
        assert [u["email"] for u in users] == [account.email, "root@example.com"]
        # ...but can once another admin exists.
        await http.patch(f"{PREFIX}/users/{users[0]['id']}/roles", json={"roles": ["admin"]}, headers=headers)
        demoted = await http.patch(f"{PREFIX}/users/{me['id']}/roles", json={"roles": ["user"]}, headers=headers)
        assert demoted.status_code == 200 and demoted.json()["roles"] == ["user"]


async def test_the_audit_log_is_append_only_on_postgres(client, db):
    account = await register(client)
    # A row with a detail, so the third statement below changes something even when this test runs alone.
    await client.post(f"{PREFIX}/login", json={"email": account.email, "password": "Wrong-password-1"})
    for statement in ("update auth.audit_log set action = 'tampered'", "update auth.audit_log set email = 'x@y.z'",
                      "update auth.audit_log set email = null, ip = null, user_agent = null, detail = '{}'",
                      "delete from auth.audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.begin() as connection:
                await connection.execute(text(statement))
    # The one change allowed: redacting the personal data of an erased account.
    async with db.begin() as connection:
        await connection.execute(text("update auth.audit_log set email = null, ip = null, user_agent = null "
                                      "where user_id = :id"), {"id": account.id})
