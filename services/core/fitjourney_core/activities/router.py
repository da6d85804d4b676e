"""GET /api/v1/activities: the catalogue of activities and their MET values."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fitjourney_common.security import CurrentUser
from fitjourney_common.text import Text
from fitjourney_core.activities.catalogue import load_catalogue
from fitjourney_core.activities.schemas import ActivityList

router = APIRouter(prefix="/api/v1/activities", tags=["activities"])


@router.get("", response_model=ActivityList, summary="Activities with 2011 Compendium METs, and speed tables")
async def list_activities(
    _caller: CurrentUser,
    category: Annotated[Text | None, Query(max_length=32)] = None,
) -> ActivityList:
    catalogue = load_catalogue()
    if category is None:
        return catalogue
    return ActivityList(items=[a for a in catalogue.items if a.category == category], source=catalogue.source,
                        speed_tables=catalogue.speed_tables)
