"""Helpers of the auth suite: constants, a collecting mail sender, app runner, and account shortcuts."""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, ClassVar

import httpx
from fastapi import FastAPI
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from fitjourney_auth.mail import MailMessage
from fitjourney_auth.main import create_app
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.testing.apps import asgi_client as asgi_client_of
from fitjourney_common.testing.apps import running_app as running_app_of
from fitjourney_common.testing.redis import redis_url_for_tests
from fitjourney_common.testing.smtp import RESET_TOKEN, VERIFICATION_TOKEN, token_in

SERVICE_DIR = Path(__file__).resolve().parents[1]
REDIS_URL = redis_url_for_tests(1)
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
PREFIX = "/api/v1/auth"
PASSWORD = "Correct-Horse-42"
GOOGLE_CLIENT_ID = "google-client.apps.test"
APPLE_CLIENT_ID = "dev.fitjourney.test"
FACEBOOK_APP_ID = "1234567890"
FACEBOOK_APP_SECRET = "facebook-test-secret"


class Mailbox:
    """A MailSender that keeps what it sends, so tests can read reset and verification tokens."""

    # Every mailbox of the session, so `register` finds a new account's verification mail whichever app sent it.
    everywhere: ClassVar[list[Mailbox]] = []

    def __init__(self) -> None:
        self.messages: list[MailMessage] = []
        Mailbox.everywhere.append(self)

    async def send(self, message: MailMessage) -> None:
        self.messages.append(message)

    def to(self, email: str) -> list[MailMessage]:
        return [m for m in self.messages if m.to.lower() == email.lower()]

    def token(self, email: str, label: str) -> str | None:
        """The token of the latest mail to `email` that carries one after `label`."""
        tokens = [token for m in self.to(email) if (token := token_in(m.body, label))]
        return tokens[-1] if tokens else None

    def reset_token(self, email: str) -> str:
        token = self.token(email, RESET_TOKEN)
        assert token, "no reset token in the mails"
        return token

    def verification_token(self, email: str) -> str:
        token = self.token(email, VERIFICATION_TOKEN)
        assert token, "no verification token in the mails"
        return token

    @classmethod
    def verification_token_anywhere(cls, email: str) -> str:
        tokens = [token for box in cls.everywhere if (token := box.token(email, VERIFICATION_TOKEN))]
        assert tokens, f"no app of this session mailed {email} a verification token"
        return tokens[-1]


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:12]}@example.com"


async def fetch(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(text(sql), params)
        return [dict(row) for row in result.mappings()]


@asynccontextmanager
async def running_app(settings: AuthSettings, mailbox: Mailbox | None = None) -> AsyncIterator[FastAPI]:
    async with running_app_of(create_app(settings, mail_sender=mailbox or Mailbox())) as app:
        yield app


_addresses = itertools.count(1)


def client_address() -> str:
    """A client address of its own (198.18.0.0/15, the benchmarking range), as Kong would forward it."""
    n = next(_addresses)
    return f"198.18.{n // 250 % 250}.{n % 250 + 1}"


def asgi_client(app: FastAPI, **kwargs: Any) -> httpx.AsyncClient:
    """A client of the app through a trusted proxy (127.0.0.1) that forwards an address of its own, so
    each test's failed sign-ins count against its own address and not every other test's."""
    return asgi_client_of(app, headers={"X-Forwarded-For": client_address(), **kwargs.pop("headers", {})}, **kwargs)


# --- helpers --------------------------------------------------------------------------------------

class Account:
    """A registered user and (after `login`) its tokens."""

    def __init__(self, email: str, password: str, user_id: str):
        self.email, self.password, self.id = email, password, user_id
        self.access_token = ""
        self.refresh_token = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


# The database as an operator sees it (conftest sets it): the API answers every registration alike and
# names no account, so `register` reads the new account's id here.
operator_db: AsyncEngine | None = None


async def register(http: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD,
                   display_name: str = "Test User", with_id: bool = True, verify: bool = True) -> Account:
    """A new account, its email confirmed with the token of its mail (as its owner would) unless
    `verify=False`; `with_id=False` for an app on another database than the suite's (its id stays "")."""
    email = email or unique_email()
    response = await http.post(f"{PREFIX}/register",
                               json={"email": email, "password": password, "display_name": display_name})
    assert response.status_code == 202, response.text
    if verify:  # ASGI runs the mail's background task before the answer returns: the mail is there
        await verify_email(http, Mailbox.verification_token_anywhere(email))
    if not with_id:
        return Account(email, password, "")
    assert operator_db is not None, "the db fixture sets operator_db"
    rows = await fetch(operator_db, "select id from auth.users where email_normalized = :e", e=email.lower())
    return Account(email, password, str(rows[0]["id"]))


async def verify_email(http: httpx.AsyncClient, token: str) -> None:
    response = await http.post(f"{PREFIX}/verify-email", json={"token": token})
    assert response.status_code == 204, response.text


async def login(http: httpx.AsyncClient, account: Account, **headers: str) -> Account:
    response = await http.post(f"{PREFIX}/login", json={"email": account.email, "password": account.password},
                               headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    account.access_token, account.refresh_token = body["access_token"], body["refresh_token"]
    return account


async def signed_in(http: httpx.AsyncClient, **register_args: Any) -> Account:
    return await login(http, await register(http, **register_args))


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["type"].startswith("https://")
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


async def make_admin(app: FastAPI, http: httpx.AsyncClient) -> Account:
    """An admin the way operators make one: the CLI's create-admin, then a normal sign-in."""
    from fitjourney_auth.cli import create_admin

    email = unique_email("admin")
    await create_admin(app.state.runtime.settings, email, PASSWORD, "Admin")
    return await login(http, Account(email, PASSWORD, ""))


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait (polling) until `condition()` holds; fail the test if it does not within `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never came true"
        await asyncio.sleep(0.005)


class GatedHashes:
    """Stands in for the app's pwdlib hasher: every password check waits, in the worker thread that runs
    it, until the test sets `release`. Tests use it to see what happens while a sign-in is inside bcrypt."""

    def __init__(self, real: Any):
        self.real = real
        self.release = threading.Event()
        self.entered = 0
        self.niceness: list[int] = []  # each check's thread's nice value
        self._lock = threading.Lock()

    def _hold(self) -> None:
        with self._lock:
            self.entered += 1
            self.niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        # Bounded, so a broken app fails the test instead of hanging it.
        if not self.release.wait(10):
            raise RuntimeError("the test never released the password check")

    def verify(self, *args: Any, **kwargs: Any) -> Any:
        self._hold()
        return self.real.verify(*args, **kwargs)

    def verify_and_update(self, *args: Any, **kwargs: Any) -> Any:
        self._hold()
        return self.real.verify_and_update(*args, **kwargs)

    def hash(self, *args: Any, **kwargs: Any) -> Any:
        return self.real.hash(*args, **kwargs)


@contextmanager
def gated_password_checks(app: FastAPI) -> Iterator[GatedHashes]:
    """Hold every password check of `app` until the block sets `gate.release` (or ends)."""
    passwords = app.state.runtime.passwords
    gate = GatedHashes(passwords._hash)
    passwords._hash = gate
    try:
        yield gate
    finally:
        gate.release.set()
        passwords._hash = gate.real


@contextmanager
def round_trips(engine: AsyncEngine) -> Iterator[list[list[str]]]:
    """What each checkout of `engine`'s pool sent to PostgreSQL while inside, one item per round trip:
    the statements SQLAlchemy ran and the simple queries asyncpg sent on its own (BEGIN, COMMIT, ROLLBACK)."""
    checkouts: list[list[str]] = []

    def on_checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        sent: list[str] = []
        checkouts.append(sent)
        record.info["round_trips"] = sent
        record.info["query_logger"] = lambda query: sent.append(query.query)
        record.driver_connection.add_query_logger(record.info["query_logger"])

    def on_checkin(_dbapi: Any, record: Any) -> None:
        if (logger := record.info.pop("query_logger", None)) is not None:
            record.driver_connection.remove_query_logger(logger)
        record.info.pop("round_trips", None)

    def on_execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if (sent := conn.info.get("round_trips")) is not None:
            sent.append(statement)

    listeners = [(engine.sync_engine.pool, "checkout", on_checkout), (engine.sync_engine.pool, "checkin", on_checkin),
                 (engine.sync_engine, "before_cursor_execute", on_execute)]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield checkouts
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)
