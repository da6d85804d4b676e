"""Admin rules: list accounts; change roles (never below one admin), announced as `user.roles_changed`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts import repository as accounts_repository
from fitjourney_auth.accounts import service as accounts
from fitjourney_auth.accounts.schemas import AdminUserRead
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.models import ROLE_ADMIN, ROLE_USER, User
from fitjourney_auth.shared import publish
from fitjourney_common.db.pagination import ListParams, Page, encode_cursor
from fitjourney_common.errors import Conflict, NotFound
from fitjourney_common.events.envelope import as_utc
from fitjourney_common.security import ROLES


def admin_view(user: User) -> AdminUserRead:
    return AdminUserRead(id=user.id, email=user.email, display_name=user.display_name, roles=list(user.roles),
                         created_at=as_utc(user.created_at), has_password=user.password_hash is not None)


def normalize_roles(roles: Iterable[str]) -> list[str]:
    """Known roles in a stable order, `user` always among them."""
    wanted = {*roles, ROLE_USER}
    return [role for role in ROLES if role in wanted]


async def list_users(session: AsyncSession, params: ListParams, email_prefix: str | None) -> Page[AdminUserRead]:
    rows = list(await accounts_repository.list_users_page(session, params, email_prefix))
    more = len(rows) > params.limit
    rows = rows[:params.limit]
    next_cursor = encode_cursor(as_utc(rows[-1].created_at), rows[-1].id) if more else None
    return Page[AdminUserRead](items=[admin_view(u) for u in rows], next_cursor=next_cursor)


async def set_roles(session: AsyncSession, actor_id: uuid.UUID, user_id: uuid.UUID, roles: Iterable[str],
                    client: ClientInfo) -> AdminUserRead:
    new = normalize_roles(roles)
    # Taking admin away can leave none: serialise with every other such change first, then read the
    # account as it is after the wait.
    admins = await accounts_repository.lock_admins(session) if ROLE_ADMIN not in new else None
    user = await accounts.account(session, user_id, fresh=True)
    if user is None:
        raise NotFound("No such user")
    old = normalize_roles(user.roles)
    if old == new:
        return admin_view(user)
    if ROLE_ADMIN in old and admins is not None and len(admins) <= 1:
        raise Conflict("This is the last admin; make someone else admin first")
    user.roles = new
    await session.flush()
    publish(session, "user.roles_changed", {"user_id": user.id, "roles": new}, user.id)
    audit.record(session, AuditAction.ROLES_CHANGED, client=client, user_id=user.id,
                 email=user.email_normalized, old=old, new=new, by=str(actor_id))
    return admin_view(user)
