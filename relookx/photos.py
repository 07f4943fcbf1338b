"""The photo workflow: upload -> validate and store -> analyse -> garments, and deletion."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from PIL import Image
from sqlalchemy.engine import Engine

from relookx import store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import RelookXError, UploadError
from relookx.media import PhotoStorage, prepare_upload
from relookx.models import Photo
from relookx.vision import crops
from relookx.vision.base import AnalysisResult, GarmentDraft, OutfitAnalyzer

log = logging.getLogger(__name__)


def storage_for(settings: Settings) -> PhotoStorage:
    """The photo storage of the configured data dir."""
    return PhotoStorage(settings.data_dir)


def add_upload(
    engine: Engine, storage: PhotoStorage, settings: Settings, *, user_id: int, data: bytes, filename: str
) -> Photo:
    """Validate, normalise and store one uploaded file as the user's next photo (status pending).

    Raises UploadError (DuplicatePhotoError for a photo already there); nothing is stored then.
    """
    prepared = prepare_upload(
        data, filename=filename, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
    )
    with session_scope(engine) as session:
        existing = store.find_photo_by_hash(session, user_id=user_id, content_hash=prepared.sha256)
        if existing is None:
            storage.save(prepared)
        photo = store.add_photo(
            session, user_id=user_id, content_hash=prepared.sha256, filename=filename,
            width=prepared.width, height=prepared.height, size_bytes=len(prepared.jpeg),
        )
    return photo


def _with_crops(storage: PhotoStorage, image: Image.Image, result: AnalysisResult) -> list[GarmentDraft]:
    """The result's garments, each with the key of its stored crop when the analyzer located it."""
    drafts = []
    for index, draft in enumerate(result.garments):
        box = result.boxes[index] if index < len(result.boxes) else None
        jpeg = crops.cut(image, box) if box is not None else None
        drafts.append(dataclasses.replace(draft, crop_key=storage.save_crop(jpeg)) if jpeg else draft)
    return drafts


def _drop_unused_crops(engine: Engine, storage: PhotoStorage, keys: set[str]) -> None:
    if not keys:
        return
    with session_scope(engine) as session:
        unused = keys - store.crops_in_use(session, keys=keys)
    for key in unused:
        storage.delete_crop(key)


def analyze(
    engine: Engine, storage: PhotoStorage, analyzer: OutfitAnalyzer, *, user_id: int, photo_id: int
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
        drafts = _with_crops(storage, image, result)
    except RelookXError as exc:
        error = str(exc)
    except OSError as exc:  # the stored file is missing or unreadable, or the crop cannot be written
        error = f"The stored photo file could not be read ({exc.strerror or exc}). Upload it again."
    else:
        with session_scope(engine) as session:
            old_crops = store.crop_keys(session, user_id=user_id, photo_id=photo_id)
            done = store.record_analysis(
                session, user_id=user_id, photo_id=photo_id, garments=drafts, analyzer=result.analyzer,
                note="\n".join(result.notes),
            )
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
    engine: Engine, storage: PhotoStorage, settings: Settings, analyzer: OutfitAnalyzer, *,
    user_id: int, files: Sequence[tuple[str, bytes]],
    on_stored: Callable[[int, UploadOutcome], None] | None = None,
    on_progress: Callable[[int, int, UploadOutcome], None] | None = None,
) -> list[UploadOutcome]:
    """Store every file in upload order and analyse them in a pool of `settings.analysis_workers` threads.

    Photo numbers follow the order of `files`, and each photo's analysis starts as soon as it is
    stored. `on_stored(index, outcome)` is called once a file is stored or refused (in upload order),
    `on_progress(done, total, outcome)` once its analysis ends or it was refused (in completion
    order); both run in the caller's thread. Refusals and failures are reported per
    file, never raised. Mistral calls of all workers share the `RELOOKX_MISTRAL_RPS` limit.
    """
    outcomes = [UploadOutcome(filename=filename) for filename, _data in files]
    done = 0

    def finished(outcome: UploadOutcome) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, len(files), outcome)

    workers = max(1, min(settings.analysis_workers, len(files)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="analyze") as pool:
        running: dict[Future[Photo], UploadOutcome] = {}

        def collect(block: bool) -> None:
            ready = as_completed(running) if block else [f for f in list(running) if f.done()]
            for future in ready:
                outcome = running.pop(future)
                outcome.photo = future.result()
                finished(outcome)

        # Storing stays in this thread and in upload order (so numbers follow it); each stored photo's
        # analysis starts at once, while the next files are being stored.
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
            else:
                running[pool.submit(analyze, engine, storage, analyzer, user_id=user_id,
                                    photo_id=outcome.photo.id or 0)] = outcome
            collect(block=False)
        collect(block=True)
    return outcomes


def delete(engine: Engine, storage: PhotoStorage, *, user_id: int, number: int) -> Photo:
    """Delete the user's photo and its garments; its file and crops go when no one else uses them."""
    with session_scope(engine) as session:
        target = store.get_photo(session, user_id=user_id, number=number)
        crop_keys = store.crop_keys(session, user_id=user_id, photo_id=target.id or 0)
        photo = store.delete_photo(session, user_id=user_id, number=number)
        still_used = store.hash_in_use(session, content_hash=photo.content_hash)
    if not still_used:
        storage.delete(photo.content_hash)
    _drop_unused_crops(engine, storage, crop_keys)
    return photo
