"""Auth's per-request database session, which can keep the record of a refused request.

Like the shared SessionDep it commits on success and rolls back on error, except that an error marked
`keep_writes` (a failed sign-in, a reused refresh token) first commits what it recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitjourney_common.errors import AppError, TooManyRequests, Unauthorized


class KeepWrites:
    """Mixin for errors whose request must still commit: the audit row of a failed sign-in, the
    revocation of a token family. Raise them only after writing exactly that record."""

    keep_writes = True


class RecordedUnauthorized(KeepWrites, Unauthorized):
    pass


class RecordedTooManyRequests(KeepWrites, TooManyRequests):
    pass


def keeps_writes(exc: BaseException) -> bool:
    return isinstance(exc, AppError) and getattr(exc, "keep_writes", False)


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with factory() as session:
        try:
            yield session
        except BaseException as exc:
            if keeps_writes(exc):
                await session.commit()
            else:
                await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": commit before the response is sent, so a failed commit is a 500, never a false 201.
DbSession = Annotated[AsyncSession, Depends(get_db, scope="function")]

__all__ = ["DbSession", "KeepWrites", "RecordedTooManyRequests", "RecordedUnauthorized", "get_db"]
