"""Ending a session ends its access tokens at once, not 15 minutes later: logout, a revoked session,
a reused refresh token and a password reset each make the session's unexpired access tokens answer 401."""

from __future__ import annotations

import httpx
from auth_helpers import PREFIX, Account, assert_problem, login, register, signed_in


async def _refresh(http: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await http.post(f"{PREFIX}/refresh", json={"refresh_token": refresh_token})


async def test_logout_refuses_that_sessions_access_token_and_no_other(client: httpx.AsyncClient) -> None:
    phone = await signed_in(client)
    laptop = await login(client, Account(phone.email, phone.password, phone.id))
    assert (await client.get(f"{PREFIX}/me", headers=phone.headers)).status_code == 200

    assert (await client.post(f"{PREFIX}/logout", json={"refresh_token": phone.refresh_token})).status_code == 204

    assert "session has ended" in assert_problem(await client.get(f"{PREFIX}/me", headers=phone.headers), 401)["detail"]
    assert (await client.get(f"{PREFIX}/me", headers=laptop.headers)).status_code == 200


async def test_a_reused_refresh_token_refuses_every_access_token_of_its_family(client: httpx.AsyncClient) -> None:
    account = await signed_in(client)
    first_refresh, first_access = account.refresh_token, account.headers
    rotated = (await _refresh(client, first_refresh)).json()
    newest = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert (await client.get(f"{PREFIX}/me", headers=newest)).status_code == 200

    assert_problem(await _refresh(client, first_refresh), 401)  # the stolen copy is replayed

    for headers in (first_access, newest):
        assert_problem(await client.get(f"{PREFIX}/me", headers=headers), 401)


async def test_revoking_a_session_from_another_device_refuses_its_access_token(client: httpx.AsyncClient) -> None:
    account = await register(client)
    stolen = await login(client, Account(account.email, account.password, account.id))
    mine = await login(client, Account(account.email, account.password, account.id))
    sessions = (await client.get(f"{PREFIX}/sessions", headers=mine.headers)).json()["items"]
    other = next(s for s in sessions if not s["current"])

    assert (await client.delete(f"{PREFIX}/sessions/{other['id']}", headers=mine.headers)).status_code == 204

    assert_problem(await client.get(f"{PREFIX}/me", headers=stolen.headers), 401)
    assert (await client.get(f"{PREFIX}/me", headers=mine.headers)).status_code == 200
