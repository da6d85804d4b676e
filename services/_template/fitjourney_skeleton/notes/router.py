"""HTTP for notes: reads the request, calls one service function, returns its read schema."""

from __future__ import annotations

from fastapi import APIRouter, status

from fitjourney_common.db.pagination import ListParamsDep, Page
from fitjourney_common.security import CurrentUser
from fitjourney_skeleton.notes import service
from fitjourney_skeleton.notes.schemas import NoteCreate, NoteRead
from fitjourney_skeleton.settings import API_PREFIX
from fitjourney_skeleton.shared import UserSessionDep

router = APIRouter(prefix=f"{API_PREFIX}/notes", tags=["notes"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=NoteRead, summary="Write a note")
async def create_note(body: NoteCreate, principal: CurrentUser, session: UserSessionDep) -> NoteRead:
    return await service.create_note(session, principal.user_id, body)


@router.get("", response_model=Page[NoteRead], summary="My notes, newest first")
async def list_notes(principal: CurrentUser, session: UserSessionDep, params: ListParamsDep) -> Page[NoteRead]:
    return await service.list_notes(session, principal.user_id, params)
