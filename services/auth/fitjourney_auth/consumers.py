"""Event handlers of the auth service: `user.deleted` erases the account's credentials here, and
`user.export_requested` is answered with auth's part of the export (gdpr/).

Core publishes `user.deleted` on account erasure; auth deletes the credentials, identities and sessions
and redacts the account's personal data in the audit log. Idempotent through the inbox table.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts import repository as accounts_repository
from fitjourney_auth.accounts import service as accounts
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.gdpr.service import answer_export_request
from fitjourney_auth.models import ProcessedEvent
from fitjourney_auth.shared import publish
from fitjourney_common.events.contracts import UserDeleted
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.events.inbox import idempotent
from fitjourney_common.events.worker import Subscription
from fitjourney_common.gdpr import erasure_completed

if TYPE_CHECKING:
    from fitjourney_auth.runtime import AuthRuntime

log = logging.getLogger(__name__)


async def delete_user_credentials(session: AsyncSession, envelope: EventEnvelope) -> None:
    data = UserDeleted.model_validate(envelope.data)
    user = await accounts.account(session, data.user_id)
    await audit.redact_personal_data(session, data.user_id, user.email_normalized if user else None)
    deleted = await accounts_repository.delete_user(session, data.user_id)
    # The account is being erased: this row, like the redacted earlier ones, names no person.
    audit.record(session, AuditAction.DELETED, user_id=data.user_id, event_id=str(envelope.id), found=deleted)
    # Auth's rows of the user are gone with the account (cascades): its part of the one erasure is done.
    publish(session, "user.erasure_completed", erasure_completed("auth", data.user_id, int(deleted)), data.user_id)
    log.info("user %s erased: credentials %s", data.user_id, "deleted" if deleted else "already gone")


def subscriptions(runtime: AuthRuntime) -> list[Subscription]:
    """The service's consumers; each handler receives the runtime the worker runs in."""

    async def on_user_deleted(envelope: EventEnvelope) -> None:
        async def handler(session: AsyncSession, event: EventEnvelope) -> None:
            await delete_user_credentials(session, event)

        await idempotent(runtime.session_factory, ProcessedEvent, "auth.user_deleted", handler)(envelope)

    async def on_export_requested(envelope: EventEnvelope) -> None:
        await idempotent(runtime.session_factory, ProcessedEvent, "auth.user_export_requested",
                         lambda session, event: answer_export_request(session, event))(envelope)

    async def dispatch(envelope: EventEnvelope) -> None:
        handler = on_export_requested if envelope.type == "user.export_requested" else on_user_deleted
        await handler(envelope)

    return [Subscription(queue=runtime.settings.events_queue, patterns=["user.deleted", "user.export_requested"],
                         handler=dispatch)]
