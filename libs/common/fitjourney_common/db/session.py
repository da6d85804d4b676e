"""Per-request database session: commit on success, roll back on error (services never commit).

An error marked `keep_writes` commits what the request recorded before refusing it. Side effects that
must only happen once the change is durable (dropping a cache, pushing a notification) are registered
with `call_after_commit` and run right after the commit; a rollback discards them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitjourney_common.errors import AppError

log = logging.getLogger(__name__)
AfterCommit = Callable[[], Awaitable[None]]
_AFTER_COMMIT = "after_commit"


def call_after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback()` once `session`'s transaction has committed; never if it rolls back."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


async def run_after_commit_callbacks(session: AsyncSession) -> None:
    """Called by whoever committed: the change is durable, so a failing side effect is only logged."""
    for callback in session.info.pop(_AFTER_COMMIT, []):
        try:
            await callback()
        except Exception:
            log.exception("after-commit step %r failed", callback)


def discard_after_commit_callbacks(session: AsyncSession) -> None:
    session.info.pop(_AFTER_COMMIT, None)


async def release_connection(session: AsyncSession) -> None:
    """Before slow work that needs no database (a bcrypt check), end a transaction that has only read, so
    its pooled connection serves other requests meanwhile; the session begins a new one when used again.
    A session holding unflushed changes keeps its transaction: they must commit together."""
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        await session.commit()  # nothing to write: ends the transaction; loaded objects stay (no expiry)


@asynccontextmanager
async def request_session(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A request's session, for the few paths that need one only sometimes (SessionDep opens one always)."""
    async with factory() as session:
        try:
            yield session
        except BaseException as exc:
            if isinstance(exc, AppError) and exc.keep_writes:
                await session.commit()
                await run_after_commit_callbacks(session)
            else:
                await session.rollback()
                discard_after_commit_callbacks(session)
            raise
        else:
            await session.commit()
            await run_after_commit_callbacks(session)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request_session(request.app.state.runtime.session_factory) as session:
        yield session


# scope="function": commit before the response is sent, so a failed commit is a 500, never a false 201.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
