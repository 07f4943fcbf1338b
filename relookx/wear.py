"""The wear log: each analysed photo is an outfit worn on its capture date; outfits logged by hand add days.

Functions take an open `Session`, are scoped by user id and do not commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from relookx.errors import NotFoundError, RelookXError
from relookx.models import Garment, Item, Photo, Wear, WearItem


def photo_day(photo: Photo) -> date:
    """The day a photo's outfit was worn: its capture date, else its upload date."""
    when: datetime = photo.taken_at or photo.created_at
    return when.date()


def log_outfit(
    session: Session, *, user_id: int, item_ids: Sequence[int], worn_on: date, source: str = "manual",
    note: str = "",
) -> Wear:
    """Log an outfit of the user's items worn on a day (no photo); every id must be the user's item."""
    wanted = list(dict.fromkeys(int(i) for i in item_ids))
    if not wanted:
        raise RelookXError("Pick at least one item of the outfit.")
    owned = set(session.exec(select(Item.id).where(Item.user_id == user_id, col(Item.id).in_(wanted))))
    missing = [i for i in wanted if i not in owned]
    if missing:
        raise NotFoundError(f"No item with id {', '.join(map(str, missing))} in your wardrobe: nothing was logged.")
    if worn_on > date.today():
        raise RelookXError(f"{worn_on.isoformat()} is in the future: log an outfit once it was worn.")
    wear = Wear(user_id=user_id, worn_on=worn_on, source=source, note=note[:500])
    session.add(wear)
    session.flush()
    for item_id in wanted:
        session.add(WearItem(wear_id=wear.id or 0, item_id=item_id))
    session.flush()
    return wear


def undo(session: Session, *, user_id: int, wear_id: int) -> None:
    """Remove an outfit logged by hand."""
    wear = session.get(Wear, wear_id)
    if wear is None or wear.user_id != user_id:
        raise NotFoundError(f"No logged outfit with id {wear_id}.")
    session.delete(wear)
    session.flush()


def logged(session: Session, *, user_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The latest outfits logged by hand, newest first, with their items' ids and names."""
    wears = list(session.exec(select(Wear).where(Wear.user_id == user_id)
                              .order_by(col(Wear.worn_on).desc(), col(Wear.id).desc()).limit(limit)))
    names: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if wears:
        query = (select(WearItem.wear_id, Item.id, Item.name).join(Item, col(Item.id) == col(WearItem.item_id))
                 .where(col(WearItem.wear_id).in_([w.id for w in wears])).order_by(col(Item.id)))
        for wear_id, item_id, name in session.exec(query):
            names[wear_id].append((int(item_id or 0), name))
    return [{"id": w.id, "worn_on": w.worn_on, "source": w.source, "note": w.note,
             "item_ids": [i for i, _ in names[w.id or 0]], "items": [n for _, n in names[w.id or 0]]}
            for w in wears]


def wear_rows(session: Session, *, user_id: int) -> list[dict[str, Any]]:
    """Every (outfit, day, item) of the user: photos' items on their days, then outfits logged by hand.

    Keys: outfit ("image 3" or "log 7"), worn_on (date), item_id, source ("photo" or the log's source).
    """
    rows: list[dict[str, Any]] = []
    query = (select(Photo.number, Photo.taken_at, Photo.created_at, Garment.item_id)
             .join(Garment, col(Garment.photo_id) == col(Photo.id))
             .where(Photo.user_id == user_id, col(Garment.item_id).is_not(None)).distinct())
    for number, taken_at, created_at, item_id in session.exec(query):
        when = taken_at or created_at
        rows.append({"outfit": f"image {number}", "worn_on": when.date(), "item_id": int(item_id or 0),
                     "source": "photo"})
    query2 = (select(col(Wear.id), col(Wear.worn_on), col(Wear.source), col(WearItem.item_id))
              .join(WearItem, col(WearItem.wear_id) == col(Wear.id)).where(Wear.user_id == user_id))
    for wear_id, worn_on, source, item_id in session.exec(query2):
        rows.append({"outfit": f"log {wear_id}", "worn_on": worn_on, "item_id": int(item_id), "source": source})
    return rows
