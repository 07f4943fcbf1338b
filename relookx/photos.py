"""The photo workflow: upload -> validate and store -> analyse -> garments, and deletion."""

from __future__ import annotations

import dataclasses
import io
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from PIL import Image
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from relookx import pending, store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import DuplicatePhotoError, RelookXError, StorageError, UploadError
from relookx.media import prepare_upload
from relookx.models import Photo
from relookx.storage import ObjectRef, Storage, make_storage, refs
from relookx.storage.base import sha256
from relookx.vision import crops
from relookx.vision.base import AnalysisResult, GarmentDraft, OutfitAnalyzer

log = logging.getLogger(__name__)


def storage_for(settings: Settings) -> Storage:
    """The configured photo storage: the S3 bucket when RELOOKX_S3_BUCKET is set, else the data dir."""
    return make_storage(settings)


def _duplicate(engine: Engine, *, user_id: int, content_hash: str, filename: str) -> DuplicatePhotoError | None:
    with session_scope(engine) as session:
        existing = store.find_photo_by_hash(session, user_id=user_id, content_hash=content_hash)
    if existing is None:
        return None
    return DuplicatePhotoError(f"{filename or 'This photo'} is already in your wardrobe as image {existing.number}: "
                               "nothing new was stored.", number=existing.number)


def add_upload(
    engine: Engine, storage: Storage, settings: Settings, *, user_id: int, data: bytes, filename: str
) -> Photo:
    """Validate, normalise and store one uploaded file as the user's next photo (status pending).

    The photo and its thumbnail are stored before the row is written (relookx.storage.refs). Raises
    UploadError (DuplicatePhotoError for a photo already there, also when a concurrent upload of the
    same photo wins); nothing is stored then.
    """
    prepared = prepare_upload(
        data, filename=filename, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
    )
    duplicate = _duplicate(engine, user_id=user_id, content_hash=prepared.sha256, filename=filename)
    if duplicate is not None:
        raise duplicate
    key = prepared.sha256
    objects = [(ObjectRef("thumb", key), prepared.thumb), (ObjectRef("photo", key), prepared.jpeg)]
    try:
        with refs.storing(engine, storage, objects) as session:
            return store.add_photo(
                session, user_id=user_id, content_hash=key, filename=filename,
                width=prepared.width, height=prepared.height, size_bytes=len(prepared.jpeg),
                # EXIF time is the camera's wall clock: kept as is, so its date is the day worn.
                taken_at=prepared.taken_at.replace(tzinfo=UTC) if prepared.taken_at else None,
            )
    except StorageError as exc:
        raise UploadError(f"{filename or 'The photo'} was not stored: {exc}") from exc
    except IntegrityError:
        # Only a concurrent upload of the same photo by the same user gets here (unique user+hash).
        duplicate = _duplicate(engine, user_id=user_id, content_hash=key, filename=filename)
        if duplicate is None:
            raise
        raise duplicate from None


def _with_crops(image: Image.Image, result: AnalysisResult) -> tuple[list[GarmentDraft], list[tuple[ObjectRef, bytes]]]:
    """The result's garments, each with the key of its crop when the analyzer located it, and the crops to store."""
    drafts, objects = [], []
    for index, draft in enumerate(result.garments):
        box = result.boxes[index] if index < len(result.boxes) else None
        jpeg = crops.cut(image, box) if box is not None else None
        if jpeg:
            ref = ObjectRef("crop", sha256(jpeg))
            objects.append((ref, jpeg))
            draft = dataclasses.replace(draft, crop_key=ref.key)
        drafts.append(draft)
    return drafts, objects


def crop_features(storage: Storage, key: str) -> Any:
    """The matcher's descriptor of a stored garment crop (None when it cannot be read)."""
    from relookx.fashion.matching import crop_descriptor

    try:
        with Image.open(io.BytesIO(storage.read_crop(key))) as crop:
            return crop_descriptor(crop)
    except (RelookXError, OSError, ValueError):
        return None


def _drop_unused_crops(engine: Engine, storage: Storage, keys: set[str]) -> None:
    """Remove the crops no garment refers to any more (under their object locks: relookx.storage.refs)."""
    if keys:
        refs.forget(engine, storage, [ObjectRef("crop", key) for key in sorted(keys)])


def analyze(
    engine: Engine, storage: Storage, analyzer: OutfitAnalyzer, *, user_id: int, photo_id: int
) -> Photo:
    """Run the analyzer on one photo and store its garments with their crops.

    The photo ends "done", "no_person" (nothing found: the notes say why) or "failed" with the error
    (no raise): the user can run the analysis again, and nothing stored before is lost.
    """
    with session_scope(engine) as session:
        photo = store.get_photo_by_id(session, user_id=user_id, photo_id=photo_id)
    started = time.perf_counter()
    try:
        image = storage.open_image(photo.content_hash)
        result = analyzer.analyze(image)
        drafts, crop_objects = _with_crops(image, result)
        # The crops are stored before the garments that refer to them, under their object locks.
        with refs.storing(engine, storage, crop_objects) as session:
            old_crops = store.crop_keys(session, user_id=user_id, photo_id=photo_id)
            done = store.record_analysis(
                session, user_id=user_id, photo_id=photo_id, garments=drafts, analyzer=result.analyzer,
                note="\n".join(result.notes), crops=lambda key: crop_features(storage, key),
            )
    except RelookXError as exc:
        error = str(exc)
    except OSError as exc:  # the stored file is missing or unreadable
        error = f"The stored photo file could not be read ({exc.strerror or exc}). Upload it again."
    else:
        _drop_unused_crops(engine, storage, old_crops - {d.crop_key for d in drafts})
        log.info("photo %s analysed by %s in %.2fs: %s", photo_id, result.analyzer, time.perf_counter() - started,
                 done.status)
        return done
    log.warning("analysis of photo %s failed: %s", photo_id, error)
    with session_scope(engine) as session:
        return store.record_failure(
            session, user_id=user_id, photo_id=photo_id, analyzer=analyzer.name, error=error
        )


@dataclass
class UploadOutcome:
    """What happened to one file of a batch."""

    filename: str
    photo: Photo | None = None
    error: str = ""
    duplicate_of: int | None = None


def add_and_analyze_batch(
    engine: Engine, storage: Storage, settings: Settings, analyzer: OutfitAnalyzer, *,
    user_id: int, files: Sequence[tuple[str, bytes]],
    on_stored: Callable[[int, UploadOutcome], None] | None = None,
    on_progress: Callable[[int, int, UploadOutcome], None] | None = None,
) -> list[UploadOutcome]:
    """Store every file in upload order, then analyse them in a pool of `settings.analysis_workers` threads.

    Photo numbers follow the order of `files`. Every file is stored before the first analysis starts,
    so a batch cut short (tab closed, server restarted) leaves each photo stored and pending, resumed
    later (relookx.pending); each analysis is claimed in the database. `on_stored(index, outcome)` is
    called once a file is stored or refused (in upload order), `on_progress(done, total, outcome)` once
    its analysis ends or it was refused (in completion order); both run in the caller's thread.
    Refusals and failures are reported per file, never raised. Mistral calls of all workers share the
    `RELOOKX_MISTRAL_RPS` limit.
    """
    outcomes = [UploadOutcome(filename=filename) for filename, _data in files]
    done = 0

    def finished(outcome: UploadOutcome) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, len(files), outcome)

    for index, ((filename, data), outcome) in enumerate(zip(files, outcomes, strict=True)):
        try:
            outcome.photo = add_upload(engine, storage, settings, user_id=user_id, data=data, filename=filename)
        except UploadError as exc:
            outcome.error = str(exc)
            outcome.duplicate_of = getattr(exc, "number", None)
        if on_stored is not None:
            on_stored(index, outcome)
        if outcome.photo is None:
            finished(outcome)
    workers = max(1, min(settings.analysis_workers, len(files)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="analyze") as pool:
        running: dict[Future[Photo | None], UploadOutcome] = {}

        def collect(block: bool) -> None:
            ready = as_completed(running) if block else [f for f in list(running) if f.done()]
            for future in ready:
                outcome = running.pop(future)
                outcome.photo = future.result() or outcome.photo
                finished(outcome)

        for outcome in outcomes:
            if outcome.photo is not None:
                running[pool.submit(pending.analyze_claimed, engine, storage, analyzer, settings, user_id=user_id,
                                    photo_id=outcome.photo.id or 0, force=True)] = outcome
        collect(block=True)
    return outcomes


def delete(engine: Engine, storage: Storage, *, user_id: int, number: int) -> Photo:
    """Delete the user's photo, its garments and the items only it showed; its files and crops go when unused.

    Raises StorageError (nothing deleted) when the storage cannot remove a file that must go.
    """
    with session_scope(engine) as session:
        target = store.get_photo(session, user_id=user_id, number=number)
        key = target.content_hash
        crop_keys = store.crop_keys(session, user_id=user_id, photo_id=target.id or 0)
    objects = [ObjectRef("photo", key), ObjectRef("thumb", key), *(ObjectRef("crop", k) for k in sorted(crop_keys))]
    with refs.releasing(engine, storage, objects) as session:
        photo = store.delete_photo(session, user_id=user_id, number=number)
        if photo.content_hash != key:  # pragma: no cover - numbers are never reused
            raise RelookXError(f"Image {number} changed while it was being deleted: try again.")
    return photo
