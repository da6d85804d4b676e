"""HTTP routes of `/api/v1/journal`: one entry per local date, written with `PUT /journal/{date}`.

PUT (not POST) because the date names the entry: a client offline for days can replay its writes
safely, and a second write for a date replaces the whole entry (with If-Match against lost updates);
PATCH merges the fields sent into it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from fitjourney_common.db.pagination import ListParamsDep
from fitjourney_common.openapi import problems
from fitjourney_core.journal import service
from fitjourney_core.journal.crypto import JournalCipher
from fitjourney_core.journal.schemas import JournalPage, JournalPatch, JournalRead, JournalWrite
from fitjourney_core.shared import IfMatchDep, UserSessionDep, etag

PREFIX = "/api/v1/journal"
router = APIRouter(prefix=PREFIX, tags=["journal"])


async def get_cipher(user: UserSessionDep) -> JournalCipher:
    return service.cipher_from(user.runtime.settings)


CipherDep = Annotated[JournalCipher, Depends(get_cipher)]


@router.get("", response_model=JournalPage, summary="My journal, newest date first (from/to, cursor)")
async def list_entries(user: UserSessionDep, cipher: CipherDep, params: ListParamsDep) -> JournalPage:
    return await service.list_entries(user.session, cipher, user.user_id, params)


@router.put("/{day}", response_model=JournalRead, status_code=status.HTTP_200_OK,
            responses={201: {"model": JournalRead, "description": "The date had no entry: created"},
                       **problems(409, _409="The client id is already another record's")},
            summary="Write the whole entry of a date (fields left out are cleared): 201 new, 200 replaced (If-Match)")
async def write_entry(day: date, data: JournalWrite, user: UserSessionDep, cipher: CipherDep, response: Response,
                      if_match: IfMatchDep = None) -> JournalRead:
    entry, created = await service.write_entry(user.session, cipher, user.user_id, day, data, if_match)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(entry.version)
    return entry


@router.patch("/{day}", response_model=JournalRead,
              summary="Change some fields of the date's entry (JSON merge patch: null clears; If-Match)")
async def patch_entry(day: date, data: JournalPatch, user: UserSessionDep, cipher: CipherDep, response: Response,
                      if_match: IfMatchDep = None) -> JournalRead:
    entry = await service.patch_entry(user.session, cipher, user.user_id, day, data, if_match)
    response.headers["ETag"] = etag(entry.version)
    return entry


@router.get("/{day}", response_model=JournalRead)
async def get_entry(day: date, user: UserSessionDep, cipher: CipherDep, response: Response) -> JournalRead:
    entry = await service.get_entry(user.session, cipher, user.user_id, day)
    response.headers["ETag"] = etag(entry.version)
    return entry


@router.delete("/{day}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_entry(day: date, user: UserSessionDep, if_match: IfMatchDep = None) -> Response:
    await service.delete_entry(user.session, user.user_id, day, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
