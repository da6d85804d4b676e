"""Auth's export part: what it holds about a person, secrets left out (password hash, token hashes)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.gdpr import repository
from fitjourney_auth.shared import publish
from fitjourney_common.events.contracts import UserExportPartReady, UserExportRequested
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.gdpr import export_part, record

SERVICE = "auth"
OWNER = frozenset({"user_id"})


async def answer_export_request(session: AsyncSession, envelope: EventEnvelope) -> None:
    request = UserExportRequested.model_validate(envelope.data)
    account = await repository.user(session, request.user_id)
    tables = {
        "account": [record(account, leave_out=frozenset({"password_hash"}))] if account else [],
        "linked_providers": [record(i, leave_out=OWNER) for i in await repository.identities(session,
                                                                                              request.user_id)],
        "sessions": [record(s, leave_out=OWNER) for s in await repository.sessions(session, request.user_id)],
        "sign_in_audit": [record(a, leave_out=OWNER) for a in await repository.audit_entries(session,
                                                                                             request.user_id)],
    }
    publish(session, UserExportPartReady.event_type, export_part(SERVICE, request, tables), request.user_id)
