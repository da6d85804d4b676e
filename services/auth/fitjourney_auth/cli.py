"""Operator commands: `create-admin` (the first admin account), `create-user` (an account, e.g. for demo
data) and `rotate-keys` (a new signing key).

    python -m fitjourney_auth.cli create-admin --email admin@example.com --password '…'
    python -m fitjourney_auth.cli create-user --email demo@example.com < password-file   # prints the id
    python -m fitjourney_auth.cli rotate-keys
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts import repository as accounts_repository
from fitjourney_auth.accounts.repository import normalize_email
from fitjourney_auth.accounts.service import announce_registration
from fitjourney_auth.admin.service import normalize_roles
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.keys import KeyStore
from fitjourney_auth.models import ROLE_ADMIN, ROLE_USER, SCHEMA, User
from fitjourney_auth.passwords import PasswordHasher, check_password_policy
from fitjourney_auth.settings import AuthSettings
from fitjourney_auth.shared import publish
from fitjourney_common.db.base import utcnow
from fitjourney_common.db.engine import create_engine, create_session_factory
from fitjourney_common.errors import ValidationFailed

CLI_CLIENT = ClientInfo(ip=None, user_agent="fitjourney-auth cli")


async def create_admin(settings: AuthSettings, email: str, password: str, display_name: str | None) -> str:
    """Create an admin account, or grant `admin` to the existing account of `email`. Returns what happened."""
    engine = create_engine(settings.database_url, SCHEMA, pool_size=1)
    factory = create_session_factory(engine)
    try:
        # The CLI is its own unit of work: one transaction, committed when the block ends without error.
        async with factory() as session, session.begin():
            user = await accounts_repository.get_user_by_email(session, email)
            if user is not None:
                if ROLE_ADMIN in user.roles:
                    return f"{user.email} is already an admin (id {user.id})"
                old = normalize_roles(user.roles)
                user.roles = normalize_roles([*user.roles, ROLE_ADMIN])
                publish(session, "user.roles_changed", {"user_id": user.id, "roles": user.roles}, user.id)
                audit.record(session, AuditAction.ROLES_CHANGED, client=CLI_CLIENT, user_id=user.id,
                             email=user.email_normalized, old=old, new=user.roles, by="cli")
                return f"granted admin to existing account {user.email} (id {user.id}); its password is unchanged"

            user = await _register(session, settings, email, password, display_name, [ROLE_USER, ROLE_ADMIN])
            return f"created admin {user.email} (id {user.id})"
    finally:
        await engine.dispose()


async def _register(session: AsyncSession, settings: AuthSettings, email: str, password: str,
                    display_name: str | None, roles: list[str]) -> User:
    """What registration does (policy, hash, `user.registered`, audit), for an operator's command."""
    check_password_policy(password, email)
    hashed = await PasswordHasher(settings.bcrypt_rounds).hash(password)
    user = User(id=uuid.uuid4(), email=email.strip(), email_normalized=normalize_email(email),
                email_verified=False, activated_at=utcnow(),  # an operator made it: no link to wait for
                password_hash=hashed, password_changed_at=utcnow(),
                display_name=display_name or email.split("@", 1)[0][:100], roles=normalize_roles(roles))
    await accounts_repository.add_user(session, user)
    announce_registration(session, user)
    audit.record(session, AuditAction.REGISTERED, client=CLI_CLIENT, user_id=user.id,
                 email=user.email_normalized, roles=user.roles, by="cli")
    return user


async def ensure_user(
    settings: AuthSettings, email: str, password: str, display_name: str | None,
) -> tuple[uuid.UUID, bool]:
    """The id of the account of `email`, created now with role `user` if there is none (True).

    An existing account is left as it is, its password included.
    """
    engine = create_engine(settings.database_url, SCHEMA, pool_size=1)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            existing = await accounts_repository.get_user_by_email(session, email)
            if existing is not None:
                return existing.id, False
            user = await _register(session, settings, email, password, display_name, [ROLE_USER])
            return user.id, True
    finally:
        await engine.dispose()


async def seed_accounts(settings: AuthSettings, emails: Sequence[str], password: str) -> list[uuid.UUID]:
    """Accounts with role `user` for benchmark data, all with `password`, hashed once (at the configured
    cost, so signing in costs what it costs everyone). Each account's `user.registered` goes to the outbox as
    registration's does (no audit entry: nobody registered). An email already taken fails the whole batch."""
    check_password_policy(password, emails[0] if emails else "")
    hashed = await PasswordHasher(settings.bcrypt_rounds).hash(password)
    now = utcnow()
    ids = [uuid.uuid4() for _ in emails]
    rows: list[dict[str, object]] = [
        {"id": user_id, "email": email, "email_normalized": normalize_email(email), "email_verified": False,
         "activated_at": now, "password_hash": hashed, "password_changed_at": now,
         "display_name": email.split("@", 1)[0][:100], "roles": [ROLE_USER], "created_at": now, "updated_at": now}
        for user_id, email in zip(ids, emails, strict=True)]
    engine = create_engine(settings.database_url, SCHEMA, pool_size=1)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await accounts_repository.insert_users(session, rows)
            for row in rows:
                announce_registration(session, User(**row))  # a transient copy: only its fields are read
    finally:
        await engine.dispose()
    return ids


def rotate_keys(settings: AuthSettings) -> str:
    store = KeyStore(settings.keys_path, settings.access_ttl_seconds)
    current = store.rotate()
    published = ", ".join(key.kid for key in store.published())
    return f"new signing key {current.kid} in {store.directory}; published: {published}"


def read_password() -> str:
    """From a prompt on a terminal, else the first line of standard input (`… create-admin < file`)."""
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\n")


def init_keys(settings: AuthSettings) -> str:
    """First deployment: create a signing key when the key directory has none; otherwise change nothing."""
    store = KeyStore(settings.keys_path, settings.access_ttl_seconds)
    store.load(generate_if_missing=True)
    published = ", ".join(key.kid for key in store.published())
    return f"signing keys in {store.directory}; published: {published}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fitjourney-auth", description="FitJourney auth operator commands "
                                     "(configured by the same environment variables as the service)")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create the first admin (or make an account admin)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", default=None,
                       help="prefer leaving it out: the password is then read from standard input (or a "
                            "prompt), so it stays out of the process list and the shell history")
    admin.add_argument("--display-name", default=None)
    user = commands.add_parser("create-user", help="create an account with role user (an existing one is left "
                               "as it is); prints its id")
    user.add_argument("--email", required=True)
    user.add_argument("--display-name", default=None)
    commands.add_parser("rotate-keys", help="add a new signing key; keep the previous one published "
                        "until its tokens expire; delete keys older than that")
    commands.add_parser("init-keys", help="create the first signing key if there is none (safe to repeat)")
    return parser


def main(argv: Sequence[str] | None = None, settings: AuthSettings | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings or AuthSettings()
    try:
        if args.command == "create-admin":
            password = args.password if args.password is not None else read_password()
            message = asyncio.run(create_admin(settings, args.email, password, args.display_name))
        elif args.command == "create-user":
            user_id, created = asyncio.run(ensure_user(settings, args.email, read_password(), args.display_name))
            if not created:
                print(f"{args.email} already has an account; left as it is", file=sys.stderr)
            message = str(user_id)
        elif args.command == "init-keys":
            message = init_keys(settings)
        else:
            message = rotate_keys(settings)
    except ValidationFailed as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(message)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
