"""Per-request database session: commit on success, roll back on error (services never commit).

An error marked `keep_writes` commits what the request recorded before refusing it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitjourney_common.errors import AppError


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with factory() as session:
        try:
            yield session
        except BaseException as exc:
            if isinstance(exc, AppError) and exc.keep_writes:
                await session.commit()
            else:
                await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": commit before the response is sent, so a failed commit is a 500, never a false 201.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
