"""The photo workflow: upload -> validate and store -> analyse -> garments, and deletion."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from relookx import store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import RelookXError, UploadError
from relookx.media import PhotoStorage, prepare_upload
from relookx.models import Photo
from relookx.vision.base import OutfitAnalyzer

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


def analyze(
    engine: Engine, storage: PhotoStorage, analyzer: OutfitAnalyzer, *, user_id: int, photo_id: int
) -> Photo:
    """Run the analyzer on one photo and store its garments.

    On failure the photo is kept with status "failed" and the error, and is returned (no raise):
    the user can run the analysis again.
    """
    with session_scope(engine) as session:
        photo = store.get_photo_by_id(session, user_id=user_id, photo_id=photo_id)
    started = time.perf_counter()
    try:
        image = storage.open_image(photo.content_hash)
        result = analyzer.analyze(image)
    except RelookXError as exc:
        error = str(exc)
    except OSError as exc:  # the stored file is missing or unreadable
        error = f"The stored photo file could not be read ({exc.strerror or exc}). Upload it again."
    else:
        with session_scope(engine) as session:
            done = store.record_analysis(
                session, user_id=user_id, photo_id=photo_id, garments=result.garments,
                analyzer=result.analyzer,
            )
        log.info("photo %s analysed by %s in %.2fs", photo_id, result.analyzer, time.perf_counter() - started)
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
    on_progress: Callable[[int, int, UploadOutcome], None] | None = None,
) -> list[UploadOutcome]:
    """Store then analyse each file; refusals and failures are reported per file, never raised."""
    outcomes: list[UploadOutcome] = []
    for index, (filename, data) in enumerate(files):
        outcome = UploadOutcome(filename=filename)
        try:
            photo = add_upload(engine, storage, settings, user_id=user_id, data=data, filename=filename)
        except UploadError as exc:
            outcome.error = str(exc)
            outcome.duplicate_of = getattr(exc, "number", None)
        else:
            assert photo.id is not None
            outcome.photo = analyze(engine, storage, analyzer, user_id=user_id, photo_id=photo.id)
        outcomes.append(outcome)
        if on_progress is not None:
            on_progress(index + 1, len(files), outcome)
    return outcomes


def delete(engine: Engine, storage: PhotoStorage, *, user_id: int, number: int) -> Photo:
    """Delete the user's photo and its garments; its file goes when no one else uses it."""
    with session_scope(engine) as session:
        photo = store.delete_photo(session, user_id=user_id, number=number)
        still_used = store.hash_in_use(session, content_hash=photo.content_hash)
    if not still_used:
        storage.delete(photo.content_hash)
    return photo
