"""Data functions. Every one takes the user id and never reads or writes another user's rows.

Functions take an open `Session` and do not commit: the caller owns the transaction
(`relookx.db.session_scope`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from relookx.errors import DuplicatePhotoError, NotFoundError, RelookXError
from relookx.models import Garment, Item, Photo, Profile, User, utcnow
from relookx.vision.base import GarmentDraft

PROFILE_FIELDS = ("gender", "favourite_color", "height_cm", "weight_kg", "style_notes", "budget")
GARMENT_FIELDS = tuple(f.name for f in dataclasses.fields(GarmentDraft))


# --- users and profiles -------------------------------------------------------------------------

def get_user(session: Session, *, user_id: int) -> User:
    """The user with this id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"No user with id {user_id}.")
    return user


def get_user_by_name(session: Session, *, username: str) -> User:
    """The user with this username (case-insensitive)."""
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise NotFoundError(f"No user named '{username}'. Create one with: python -m relookx users add NAME")
    return user


def get_profile(session: Session, *, user_id: int) -> Profile:
    """The user's profile (an empty one if none was saved yet)."""
    profile = session.get(Profile, user_id)
    return profile if profile is not None else Profile(user_id=user_id)


def save_profile(session: Session, *, user_id: int, **fields: Any) -> Profile:
    """Update the user's profile with the given fields."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise RelookXError(f"Unknown profile field(s): {', '.join(sorted(unknown))}.")
    profile = session.get(Profile, user_id) or Profile(user_id=user_id)
    for key, value in fields.items():
        if key in ("height_cm", "weight_kg", "budget") and value is not None:
            value = float(value)
            if value < 0:
                raise RelookXError(f"{key.replace('_', ' ')} cannot be negative.")
        setattr(profile, key, value)
    profile.updated_at = utcnow()
    session.add(profile)
    session.flush()
    return profile


# --- photos ---------------------------------------------------------------------------------------

def _next_photo_number(session: Session, user_id: int) -> int:
    # UPDATE first: it takes the row (PostgreSQL) or database (SQLite) write lock, so two
    # concurrent uploads can never get the same number; numbers are never reused.
    result = session.execute(
        update(User).where(col(User.id) == user_id).values(next_photo_number=User.next_photo_number + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFoundError(f"No user with id {user_id}.")
    value = session.execute(select(User.next_photo_number).where(col(User.id) == user_id)).scalar_one()
    return int(value) - 1


def find_photo_by_hash(session: Session, *, user_id: int, content_hash: str) -> Photo | None:
    """The user's photo with this content hash, if any."""
    return session.exec(
        select(Photo).where(Photo.user_id == user_id, Photo.content_hash == content_hash)
    ).first()


def add_photo(
    session: Session, *, user_id: int, content_hash: str, filename: str = "",
    width: int = 0, height: int = 0, size_bytes: int = 0, taken_at: datetime | None = None,
) -> Photo:
    """Record a stored photo under the user's next number; refuse a duplicate."""
    existing = find_photo_by_hash(session, user_id=user_id, content_hash=content_hash)
    if existing is not None:
        raise DuplicatePhotoError(
            f"{filename or 'This photo'} is already in your wardrobe as image {existing.number}: "
            "nothing new was stored.",
            number=existing.number,
        )
    photo = Photo(
        user_id=user_id, number=_next_photo_number(session, user_id), content_hash=content_hash,
        filename=filename[:255], width=width, height=height, size_bytes=size_bytes,
        taken_at=taken_at or utcnow(),
    )
    session.add(photo)
    session.flush()
    return photo


def list_photos(session: Session, *, user_id: int) -> list[Photo]:
    """The user's photos, by number."""
    return list(session.exec(select(Photo).where(Photo.user_id == user_id).order_by(col(Photo.number))))


def photo_numbers(session: Session, *, user_id: int) -> list[int]:
    """The numbers of the user's photos, ascending."""
    return list(
        session.exec(select(Photo.number).where(Photo.user_id == user_id).order_by(col(Photo.number)))
    )


def get_photo(session: Session, *, user_id: int, number: int) -> Photo:
    """The user's photo with this number; the error lists the valid numbers."""
    photo = session.exec(select(Photo).where(Photo.user_id == user_id, Photo.number == number)).first()
    if photo is None:
        numbers = photo_numbers(session, user_id=user_id)
        valid = ", ".join(str(n) for n in numbers) if numbers else "none yet: upload a photo first"
        raise NotFoundError(f"There is no image {number} in your wardrobe. Your images: {valid}.")
    return photo


def get_photo_by_id(session: Session, *, user_id: int, photo_id: int) -> Photo:
    """The user's photo with this database id."""
    photo = session.get(Photo, photo_id)
    if photo is None or photo.user_id != user_id:
        raise NotFoundError("This photo does not exist (it may have been deleted).")
    return photo


def record_analysis(
    session: Session, *, user_id: int, photo_id: int, garments: Iterable[GarmentDraft], analyzer: str,
    note: str = "", crops: Callable[[str], Any] | None = None,
) -> Photo:
    """Replace the photo's garments with an analysis result: "done", or "no_person" when none was found.

    Garments the user added by hand to this photo stay. Each new garment becomes a sighting of an item
    (linked, asked about, or new); items only this photo showed that the new analysis no longer sees go.
    `crops` (a crop key -> its descriptor) lets the matcher compare the garment crops.
    """
    from relookx import items  # the item matcher (numpy) is loaded when a photo is analysed

    photo = get_photo_by_id(session, user_id=user_id, photo_id=photo_id)
    before = []
    for old in session.exec(select(Garment).where(Garment.user_id == user_id, Garment.photo_id == photo_id,
                                                  Garment.source != "manual")):
        before.append(old.item_id)
        session.delete(old)
    found = [Garment(user_id=user_id, photo_id=photo_id, source=analyzer, **dataclasses.asdict(draft))
             for draft in garments]
    session.add_all(found)
    session.flush()
    items.link_garments(session, user_id=user_id, garments=found, crops=crops)
    items.drop_orphans(session, user_id=user_id, item_ids=[i for i in before if i is not None])
    photo.status = "done" if found else "no_person"
    photo.analyzer, photo.error, photo.note, photo.analyzed_at = analyzer, "", note[:4000], utcnow()
    session.add(photo)
    session.flush()
    return photo


def record_failure(session: Session, *, user_id: int, photo_id: int, analyzer: str, error: str) -> Photo:
    """Mark the photo's analysis as failed with the error; the photo and its garments stay."""
    photo = get_photo_by_id(session, user_id=user_id, photo_id=photo_id)
    photo.status, photo.analyzer, photo.error, photo.analyzed_at = "failed", analyzer, error[:2000], utcnow()
    session.add(photo)
    session.flush()
    return photo


def delete_photo(session: Session, *, user_id: int, number: int) -> Photo:
    """Delete the user's photo and its garments (and the items only it showed); returns the deleted row."""
    from relookx import items

    photo = get_photo(session, user_id=user_id, number=number)
    seen = []
    for garment in session.exec(select(Garment).where(Garment.photo_id == photo.id)):
        seen.append(garment.item_id)
        session.delete(garment)
    session.delete(photo)
    session.flush()
    items.drop_orphans(session, user_id=user_id, item_ids=[i for i in seen if i is not None])
    return photo


def set_taken_at(session: Session, *, user_id: int, number: int, taken_at: datetime) -> Photo:
    """Correct the day (and time) a photo was taken: the day its outfit counts as worn."""
    photo = get_photo(session, user_id=user_id, number=number)
    if taken_at.tzinfo is None:
        taken_at = taken_at.replace(tzinfo=UTC)
    if taken_at > utcnow() + timedelta(days=1):
        raise RelookXError(f"{taken_at.date().isoformat()} is in the future: give the day the photo was taken.")
    photo.taken_at = taken_at
    session.add(photo)
    session.flush()
    return photo


def crop_keys(session: Session, *, user_id: int, photo_id: int) -> set[str]:
    """The crop keys of the garments of one of the user's photos."""
    keys = session.exec(select(Garment.crop_key).where(Garment.user_id == user_id, Garment.photo_id == photo_id))
    return {k for k in keys if k}


def crops_in_use(session: Session, *, keys: Iterable[str]) -> set[str]:
    """Which of these crop keys any garment (of any user) still refers to."""
    wanted = [k for k in keys if k]
    if not wanted:
        return set()
    return set(session.exec(select(Garment.crop_key).where(col(Garment.crop_key).in_(wanted))))


def hash_in_use(session: Session, *, content_hash: str) -> bool:
    """True when any user still has a photo with this content (files are shared by hash)."""
    return session.exec(select(Photo.id).where(Photo.content_hash == content_hash)).first() is not None


# --- garments -------------------------------------------------------------------------------------

def add_garment(
    session: Session, *, user_id: int, draft: GarmentDraft, photo_id: int | None = None,
    source: str = "manual",
) -> Garment:
    """Add one garment to the user's wardrobe."""
    if photo_id is not None:
        get_photo_by_id(session, user_id=user_id, photo_id=photo_id)
    garment = Garment(user_id=user_id, photo_id=photo_id, source=source, **dataclasses.asdict(draft))
    session.add(garment)
    session.flush()
    return garment


def get_garment(session: Session, *, user_id: int, garment_id: int) -> Garment:
    """The user's garment with this id."""
    garment = session.get(Garment, garment_id)
    if garment is None or garment.user_id != user_id:
        raise NotFoundError(f"No garment with id {garment_id} in your wardrobe.")
    return garment


def update_garment(session: Session, *, user_id: int, garment_id: int, **changes: Any) -> Garment:
    """Change some tags of one of the user's garments."""
    unknown = set(changes) - set(GARMENT_FIELDS)
    if unknown:
        raise RelookXError(f"Unknown garment field(s): {', '.join(sorted(unknown))}.")
    garment = get_garment(session, user_id=user_id, garment_id=garment_id)
    for key, value in changes.items():
        setattr(garment, key, value)
    session.add(garment)
    session.flush()
    return garment


def delete_garment(session: Session, *, user_id: int, garment_id: int) -> None:
    """Delete one of the user's garments."""
    session.delete(get_garment(session, user_id=user_id, garment_id=garment_id))
    session.flush()


def list_garments(session: Session, *, user_id: int, photo_id: int | None = None) -> list[Garment]:
    """The user's garments (of one photo when `photo_id` is given), oldest first."""
    query = select(Garment).where(Garment.user_id == user_id)
    if photo_id is not None:
        query = query.where(Garment.photo_id == photo_id)
    return list(session.exec(query.order_by(col(Garment.id))))


def garment_rows(session: Session, *, user_id: int) -> list[dict[str, Any]]:
    """The user's garments as plain dicts with their photo number (for tables, CSV and JSON)."""
    query = (
        select(Garment, Photo.number)
        .join(Photo, col(Garment.photo_id) == col(Photo.id), isouter=True)
        .where(Garment.user_id == user_id)
        .order_by(col(Garment.id))
    )
    rows = []
    for garment, number in session.exec(query):
        row = garment.model_dump()
        row["photo_number"] = number
        rows.append(row)
    return rows


def photo_rows(session: Session, *, user_id: int) -> list[dict[str, Any]]:
    """The user's photos as plain dicts."""
    return [p.model_dump() for p in list_photos(session, user_id=user_id)]


def counts(session: Session, *, user_id: int) -> dict[str, int]:
    """How many photos, garments (sightings) and items the user has."""
    photos = session.exec(select(func.count()).select_from(Photo).where(Photo.user_id == user_id)).one()
    garments = session.exec(select(func.count()).select_from(Garment).where(Garment.user_id == user_id)).one()
    items = session.exec(select(func.count()).select_from(Item).where(Item.user_id == user_id)).one()
    return {"photos": int(photos), "garments": int(garments), "items": int(items)}


def items_value(session: Session, *, user_id: int) -> float:
    """The summed price of the user's items (each piece once)."""
    total = session.exec(select(func.sum(Item.price)).where(Item.user_id == user_id)).one()
    return float(total or 0.0)
