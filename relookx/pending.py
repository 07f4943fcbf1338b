"""Interrupted photo work is never lost: a batch stores every file first, then analyses them one by one.

A photo waiting for (or in) its analysis is "pending". Its analysis is claimed in the database
(`Photo.claimed_at`), not in a process, so any replica can tell a photo being analysed right now from
one whose server stopped or whose browser tab closed: a claim older than the lease was interrupted,
and the photo is resumed when its owner next opens Images (or at once with "Analyse now").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import UploadError
from relookx.models import Photo, utcnow
from relookx.storage import Storage
from relookx.vision.base import OutfitAnalyzer

if TYPE_CHECKING:
    from relookx.photos import UploadOutcome


def analysis_lease(settings: Settings) -> timedelta:
    """How long a claimed analysis may run before it counts as interrupted (the analyzer's worst case)."""
    if settings.active_analyzer == "mistral":
        return timedelta(seconds=settings.mistral_timeout_s + settings.mistral_retry_budget_s + 30)
    return timedelta(seconds=60)


def claim(engine: Engine, *, user_id: int, photo_id: int, lease: timedelta, force: bool = False,
          now: datetime | None = None) -> bool:
    """Mark the photo as being analysed, atomically; False when a live claim of another run holds it."""
    now = now or utcnow()
    query = update(Photo).where(col(Photo.id) == photo_id, col(Photo.user_id) == user_id)
    if not force:
        query = query.where(or_(col(Photo.claimed_at).is_(None), col(Photo.claimed_at) < now - lease))
    with session_scope(engine) as session:
        return bool(session.execute(query.values(claimed_at=now)).rowcount == 1)  # type: ignore[attr-defined]


def release(engine: Engine, *, photo_id: int) -> None:
    """The analysis ended (done or failed): drop the claim."""
    with session_scope(engine) as session:
        session.execute(update(Photo).where(col(Photo.id) == photo_id).values(claimed_at=None))


def analyze_claimed(
    engine: Engine, storage: Storage, analyzer: OutfitAnalyzer, settings: Settings, *, user_id: int,
    photo_id: int, force: bool = False,
) -> Photo | None:
    """Claim the photo, analyse it and release it; None when another run is analysing it right now."""
    from relookx import photos  # photos' batch imports this module

    if not claim(engine, user_id=user_id, photo_id=photo_id, lease=analysis_lease(settings), force=force):
        return None
    try:
        photo = photos.analyze(engine, storage, analyzer, user_id=user_id, photo_id=photo_id)
    finally:
        release(engine, photo_id=photo_id)
    photo.claimed_at = None
    return photo


def pending(engine: Engine, *, user_id: int) -> list[Photo]:
    """The user's photos still waiting for their analysis, oldest first."""
    with session_scope(engine) as session:
        return list(session.exec(select(Photo).where(Photo.user_id == user_id, Photo.status == "pending")
                                 .order_by(col(Photo.number))))


def resumable(engine: Engine, settings: Settings, *, user_id: int, now: datetime | None = None) -> list[Photo]:
    """Pending photos nobody is analysing: never started, or interrupted (their claim outlived the lease)."""
    cutoff = (now or utcnow()) - analysis_lease(settings)
    return [p for p in pending(engine, user_id=user_id) if p.claimed_at is None or p.claimed_at < cutoff]


def store_all(
    engine: Engine, storage: Storage, settings: Settings, *, user_id: int, files: Sequence[tuple[str, bytes]],
    on_stored: Callable[[int, UploadOutcome], None] | None = None,
) -> list[UploadOutcome]:
    """Store every file of a batch (each becomes a pending photo) before any analysis starts.

    So a batch cut short by a closed tab or a server restart has lost nothing: the rest is pending.
    """
    from relookx import photos

    outcomes = []
    for index, (filename, data) in enumerate(files):
        outcome = photos.UploadOutcome(filename=filename)
        try:
            outcome.photo = photos.add_upload(engine, storage, settings, user_id=user_id, data=data,
                                              filename=filename)
        except UploadError as exc:
            outcome.error = str(exc)
            outcome.duplicate_of = getattr(exc, "number", None)
        outcomes.append(outcome)
        if on_stored is not None:
            on_stored(index, outcome)
    return outcomes
