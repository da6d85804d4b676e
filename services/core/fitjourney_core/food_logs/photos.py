"""The food-photo flow: upload → `food.photo_uploaded` → recognition result → accept into a food log."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.errors import Conflict, ValidationFailed
from fitjourney_common.events.contracts import FoodPhotoRecognized, FoodPhotoUploaded, PhotoJobState, PhotoJobUpdated
from fitjourney_common.images import check_image, reencode_without_metadata
from fitjourney_common.storage import ObjectStore
from fitjourney_core import objects
from fitjourney_core.food_logs import repository
from fitjourney_core.food_logs.models import FoodLog, PhotoJob
from fitjourney_core.food_logs.nutrition import Nutrients, rescaled
from fitjourney_core.food_logs.schemas import FoodLogRead, PhotoAccept, PhotoCandidate, PhotoJobRead
from fitjourney_core.food_logs.service import add_log, to_read
from fitjourney_core.foods.service import best_catalogue_match
from fitjourney_core.objects import FOOD_PHOTOS
from fitjourney_core.portability import Exporter, ExportPart, MediaFile, columns, extension
from fitjourney_core.settings import CoreSettings
from fitjourney_core.shared import existing_for_replay, flush_new, get_owned_or_404
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.repository import all_rows_of_user
from fitjourney_core.writes.service import ResourceKind

# Created by an upload (announced as `food.photo_uploaded`, which the AI service answers); updated when
# the recognition arrives; never deleted by the user (erasure removes it).
PHOTO_JOBS = ResourceKind(
    name="photo_job", model=PhotoJob, id_field="job_id", state=PhotoJobState,
    events={"created": FoodPhotoUploaded, "updated": PhotoJobUpdated}, invalidates="nothing",
)
# Recognition works on a few hundred pixels; keeping more only costs storage.
PHOTO_MAX_SIDE_PX = 2048


def to_read_job(job: PhotoJob) -> PhotoJobRead:
    return PhotoJobRead.model_validate(job)


async def upload_photo(
    session: AsyncSession, store: ObjectStore, settings: CoreSettings, user_id: uuid.UUID, data: bytes,
    job_id: uuid.UUID | None = None,
) -> tuple[PhotoJobRead, bool]:
    """Check and re-encode the image (EXIF gone), store it, open a pending job and ask for recognition.

    Returns the job and whether it was created now (False: a replay of an upload already applied).
    """
    existing = await existing_for_replay(session, PhotoJob, job_id, user_id)
    if existing is not None:
        return to_read_job(existing), False
    await asyncio.to_thread(check_image, data, max_bytes=settings.photo_max_bytes,
                            max_pixels=settings.max_image_pixels)
    encoded = await asyncio.to_thread(reencode_without_metadata, data, max_side=PHOTO_MAX_SIDE_PX)
    job_id = job_id or uuid.uuid4()
    name = f"{job_id}.{encoded.extension}"
    key = FOOD_PHOTOS.key(user_id, name)
    job = PhotoJob(id=job_id, user_id=user_id, status="pending", object_key=key,
                   content_type=encoded.content_type, candidates=[], version=1)
    await flush_new(session, job)
    await objects.put(store, FOOD_PHOTOS, user_id, name, encoded.data, encoded.content_type)
    read = to_read_job(job)
    await writes.created(session, PHOTO_JOBS, job, payload=read.model_dump(mode="json"),
                         extra={"object_key": key, "content_type": encoded.content_type})
    return read, True


async def get_photo_job(session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID) -> PhotoJobRead:
    return to_read_job(await get_owned_or_404(session, PhotoJob, job_id, user_id))


async def apply_recognition(session: AsyncSession, result: FoodPhotoRecognized) -> PhotoJobRead | None:
    """Store the recogniser's answer on the job; None when the job is gone (deleted or erased)."""
    job = await repository.photo_job_for_update(session, result.job_id, result.user_id)
    if job is None:
        return None
    before = PHOTO_JOBS.snapshot(job)
    job.status = result.status
    job.candidates = [candidate.model_dump(mode="json") for candidate in result.candidates]
    job.reason = result.reason if result.status != "done" else None
    job.recognized_at = utcnow()
    job.version += 1
    job.updated_at = utcnow()
    await session.flush()
    read = to_read_job(job)
    await writes.updated(session, PHOTO_JOBS, job, before, payload=read.model_dump(mode="json"))
    return read


def _candidate(job: PhotoJob, index: int) -> PhotoCandidate:
    if job.status != "done":
        raise Conflict(f"Recognition of this photo is {job.status}; there is nothing to accept")
    if index >= len(job.candidates):
        raise ValidationFailed("candidate_index", f"this photo has {len(job.candidates)} candidates")
    return PhotoCandidate.model_validate(job.candidates[index])


async def accept_candidate(
    session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID, data: PhotoAccept,
) -> tuple[FoodLogRead, bool]:
    """A food log from one candidate, rescaled when the user says how many grams it really was."""
    job = await get_owned_or_404(session, PhotoJob, job_id, user_id)
    existing = await existing_for_replay(session, FoodLog, data.id, user_id)
    if existing is not None:
        return to_read(existing), False
    candidate = _candidate(job, data.candidate_index)
    grams = data.grams or candidate.grams
    if grams <= 0:
        raise ValidationFailed("grams", "the recogniser estimated no portion size; send grams")
    if data.grams is not None and candidate.grams <= 0:
        raise ValidationFailed("grams", "the recogniser estimated no portion size to scale from")
    nutrients = (rescaled(candidate, candidate.grams, grams) if data.grams is not None
                 else Nutrients(kcal=round(candidate.kcal, 1), protein_g=round(candidate.protein_g, 1),
                                carbs_g=round(candidate.carbs_g, 1), fat_g=round(candidate.fat_g, 1), fibre_g=0.0))
    # Link to the catalogue when the label names one of its foods, so the log can be edited by portion.
    food = await best_catalogue_match(session, user_id, candidate.label)
    log = FoodLog(
        id=data.id or uuid.uuid4(), user_id=user_id, food_id=food.id if food else None,
        food_name=(food.name if food else candidate.label)[:200], grams=round(grams, 1), portion=None,
        quantity=None, meal=data.meal, eaten_at=data.eaten_at or utcnow(), source="photo", photo_job_id=job.id,
        version=1, **nutrients.as_dict(),
    )
    return await add_log(session, log), True


async def _export(session: AsyncSession, user_id: uuid.UUID, settings: CoreSettings) -> ExportPart:
    """Photo jobs as stored, each photo a file of the export instead of its object key."""
    part = ExportPart([])
    for job in await all_rows_of_user(session, PhotoJob, user_id):
        record = columns(job, leave_out=frozenset({"object_key"}))
        record["photo_file"] = f"media/food-photos/{job.id}{extension(job.object_key)}"
        part.media.append(MediaFile(record["photo_file"], job.object_key, record, "photo_file"))
        assert isinstance(part.records, list)
        part.records.append(record)
    return part


PHOTO_JOBS_EXPORT = Exporter("photo_jobs", PhotoJob, _export)
