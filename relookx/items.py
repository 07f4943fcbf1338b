"""Wardrobe items and their sightings: linking analysed garments to items, the question, merge, split.

A `Garment` row is a sighting (what one photo shows, or a garment typed by hand); an `Item` is one
physical piece. Functions take an open `Session`, are scoped by user id and do not commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from relookx.errors import NotFoundError, RelookXError
from relookx.fashion.matching import ASK_SCORE, LINK_SCORE, GarmentFeatures, ItemIndex, match_scores
from relookx.models import Garment, Item, Photo, User, WearItem

ITEM_FIELDS = ("name", "category", "color_name", "color_hex", "pattern", "material", "fit", "price",
               "price_text", "context", "description", "confidence")
KEPT_SOURCES = ("manual", "import")  # items the user made: kept when their last sighting goes


def features(row: Garment | Item) -> GarmentFeatures:
    """What the matcher compares of a garment or an item (crop descriptors are added by the caller)."""
    return GarmentFeatures(category=row.category, color_hex=row.color_hex, pattern=row.pattern,
                           material=row.material, name=row.name)


def item_from(garment: Garment, *, source: str | None = None) -> Item:
    """A new item carrying the garment's fields."""
    return Item(user_id=garment.user_id, source=source or garment.source,
                **{k: getattr(garment, k) for k in ITEM_FIELDS})


def get_item(session: Session, *, user_id: int, item_id: int) -> Item:
    """The user's item with this id."""
    item = session.get(Item, item_id)
    if item is None or item.user_id != user_id:
        raise NotFoundError(f"No item with id {item_id} in your wardrobe.")
    return item


def list_items(session: Session, *, user_id: int) -> list[Item]:
    """The user's items, oldest first."""
    return list(session.exec(select(Item).where(Item.user_id == user_id).order_by(col(Item.id))))


def _fill_empty(item: Item, source: Garment | Item) -> None:
    for key in ITEM_FIELDS:
        if getattr(item, key) in ("", None) and getattr(source, key) not in ("", None):
            setattr(item, key, getattr(source, key))


@dataclass
class LinkResult:
    """What became of each new garment: linked to an item, asked about, or a new item."""

    linked: int = 0
    asked: int = 0
    created: int = 0


CropDescriptor = Callable[[str], np.ndarray | None]  # a crop key -> its crop_descriptor (None: unreadable)
RESCORED = 5  # best candidates per garment compared again with their crops


def _item_crops(session: Session, item_ids: Iterable[int]) -> dict[int, str]:
    """A crop key of each item (its first sighting that has one)."""
    wanted = list(set(item_ids))
    if not wanted:
        return {}
    found: dict[int, str] = {}
    query = (select(Garment.item_id, Garment.crop_key)
             .where(col(Garment.item_id).in_(wanted), Garment.crop_key != "").order_by(col(Garment.id)))
    for item_id, key in session.exec(query):
        found.setdefault(int(item_id or 0), key)
    return found


def _rescore(session: Session, todo: Sequence[Garment], items: Sequence[Item], scores: np.ndarray,
             crops: CropDescriptor) -> None:
    """Score each garment's best few candidates again with the crops' descriptors, where both have one."""
    top = np.argsort(-scores, axis=1)[:, :RESCORED]
    item_keys = _item_crops(session, [items[j].id or 0 for j in top.ravel().tolist()])
    cache: dict[str, np.ndarray | None] = {}

    def descriptor(key: str) -> np.ndarray | None:
        if key not in cache:
            cache[key] = crops(key)
        return cache[key]

    for k, garment in enumerate(todo):
        mine = descriptor(garment.crop_key) if garment.crop_key else None
        if mine is None:
            continue
        for j in top[k]:
            if scores[k, j] <= 0:
                continue
            key = item_keys.get(items[j].id or 0)
            theirs = descriptor(key) if key else None
            if theirs is not None:
                pair = match_scores([replace(features(garment), descriptor=mine)],
                                    [replace(features(items[j]), descriptor=theirs)])
                scores[k, j] = float(pair[0, 0])


def link_garments(
    session: Session, *, user_id: int, garments: Sequence[Garment], crops: CropDescriptor | None = None,
) -> LinkResult:
    """Match garments without an item against the user's items: link, ask (middle band) or create.

    Two garments of one photo never go to the same item, nor to an item already seen on that photo.
    Concurrent calls for one user are serialised (a lock on the user's row until the transaction ends).
    With `crops` (crop key -> descriptor), each garment's best candidates are compared again with the
    garment crops where both sides have one.
    """
    result = LinkResult()
    todo = [g for g in garments if g.item_id is None]
    if not todo:
        return result
    # One linker per user at a time (the analysis pool, other replicas): the user's row stays locked until
    # this transaction ends, so a concurrent analysis reads the items made here instead of making its own.
    # SQLite already serialises writers; PostgreSQL needs the row lock.
    session.exec(select(User.id).where(User.id == user_id).with_for_update()).first()
    items = list_items(session, user_id=user_id)
    seen: dict[int | None, set[int]] = defaultdict(set)  # photo id -> item ids already on it
    photo_ids = {g.photo_id for g in todo if g.photo_id is not None}
    if photo_ids:
        for photo_id, item_id in session.exec(select(Garment.photo_id, Garment.item_id).where(
                Garment.user_id == user_id, col(Garment.photo_id).in_(photo_ids),
                col(Garment.item_id).is_not(None))):
            seen[photo_id].add(int(item_id or 0))
    scores = ItemIndex([features(i) for i in items]).scores([features(g) for g in todo]) if items else None
    if scores is not None and crops is not None:
        _rescore(session, todo, items, scores, crops)
    # Best pairs first, so a clear match is never taken by a weaker one of the same photo.
    order = sorted(range(len(todo)), key=lambda k: -(scores[k].max() if scores is not None and len(items) else 0))
    for k in order:
        garment = todo[k]
        taken = seen[garment.photo_id] if garment.photo_id is not None else set()
        best, best_score = None, 0.0
        if scores is not None:
            for j in scores[k].argsort()[::-1][:5]:
                if items[j].id not in taken:
                    best, best_score = items[j], float(scores[k][j])
                    break
        if best is not None and best_score >= LINK_SCORE:
            garment.item_id = best.id
            _fill_empty(best, garment)
            session.add(best)
            result.linked += 1
        else:
            item = item_from(garment)
            session.add(item)
            session.flush()
            garment.item_id = item.id
            if best is not None and best_score >= ASK_SCORE:
                garment.candidate_item_id, garment.candidate_score = best.id, round(best_score, 3)
                result.asked += 1
            result.created += 1
        if garment.photo_id is not None and garment.item_id is not None:
            seen[garment.photo_id].add(garment.item_id)
        session.add(garment)
    session.flush()
    return result


def drop_orphans(session: Session, *, user_id: int, item_ids: Iterable[int]) -> int:
    """Delete items (made by an analysis) left with no sighting and no logged wear; returns how many."""
    dropped = 0
    for item_id in set(item_ids):
        item = session.get(Item, item_id)
        if item is None or item.user_id != user_id or item.source in KEPT_SOURCES:
            continue
        sighted = session.exec(select(Garment.id).where(Garment.item_id == item_id)).first()
        worn = session.exec(select(WearItem.wear_id).where(WearItem.item_id == item_id)).first()
        if sighted is None and worn is None:
            session.delete(item)
            dropped += 1
    session.flush()
    return dropped


def merge(session: Session, *, user_id: int, keep_id: int, other_id: int) -> Item:
    """Merge item `other_id` into `keep_id`: sightings and logged wears move, empty fields are filled."""
    if keep_id == other_id:
        raise RelookXError("Choose two different items to merge.")
    keep = get_item(session, user_id=user_id, item_id=keep_id)
    other = get_item(session, user_id=user_id, item_id=other_id)
    session.execute(update(Garment).where(col(Garment.item_id) == other_id).values(item_id=keep_id))
    session.execute(update(Garment).where(col(Garment.candidate_item_id) == other_id)
                    .values(candidate_item_id=None, candidate_score=None))
    session.execute(update(Garment).where(col(Garment.item_id) == keep_id,
                                          col(Garment.candidate_item_id) == keep_id)
                    .values(candidate_item_id=None, candidate_score=None))
    both = select(WearItem.wear_id).where(WearItem.item_id == keep_id)
    session.execute(delete(WearItem).where(col(WearItem.item_id) == other_id, col(WearItem.wear_id).in_(both)))
    session.execute(update(WearItem).where(col(WearItem.item_id) == other_id).values(item_id=keep_id))
    _fill_empty(keep, other)
    session.add(keep)
    session.delete(other)
    session.flush()
    return keep


def split(session: Session, *, user_id: int, garment_id: int) -> Item:
    """Make one sighting its own new item (with the fields seen on it)."""
    garment = session.get(Garment, garment_id)
    if garment is None or garment.user_id != user_id:
        raise NotFoundError(f"No sighting with id {garment_id} in your wardrobe.")
    if garment.item_id is not None:
        others = session.exec(select(func.count()).select_from(Garment).where(
            Garment.item_id == garment.item_id, Garment.id != garment_id)).one()
        if not others:
            raise RelookXError("This sighting is the only one of its item: there is nothing to split off.")
    item = item_from(garment)
    session.add(item)
    session.flush()
    garment.item_id, garment.candidate_item_id, garment.candidate_score = item.id, None, None
    session.add(garment)
    session.flush()
    return item


def answer_question(session: Session, *, user_id: int, garment_id: int, same: bool) -> Item | None:
    """The user's answer to "is this the same as ...?": yes merges the two items, no forgets the question."""
    garment = session.get(Garment, garment_id)
    if garment is None or garment.user_id != user_id or garment.candidate_item_id is None:
        raise NotFoundError("This question was already answered.")
    candidate, own = garment.candidate_item_id, garment.item_id
    garment.candidate_item_id, garment.candidate_score = None, None
    session.add(garment)
    session.flush()
    if not same:
        return None
    if own is None:
        garment.item_id = candidate
        session.add(garment)
        session.flush()
        return get_item(session, user_id=user_id, item_id=candidate)
    return merge(session, user_id=user_id, keep_id=candidate, other_id=own)


def questions(session: Session, *, user_id: int) -> list[dict[str, Any]]:
    """Open "the same as ...?" questions: the sighting, its photo number, the candidate item and its photos."""
    rows = session.exec(
        select(Garment, Photo.number).join(Photo, col(Garment.photo_id) == col(Photo.id), isouter=True)
        .where(Garment.user_id == user_id, col(Garment.candidate_item_id).is_not(None))
        .order_by(col(Garment.id))
    ).all()
    numbers = item_photo_numbers(session, user_id=user_id)
    out = []
    for garment, number in rows:
        candidate = session.get(Item, garment.candidate_item_id)
        if candidate is None:
            continue
        seen = [n for n in numbers.get(candidate.id or 0, []) if n != number]
        out.append({"garment_id": garment.id, "photo_number": number, "name": garment.name,
                    "color_hex": garment.color_hex, "item_id": candidate.id, "item_name": candidate.name,
                    "item_color_hex": candidate.color_hex, "item_photos": seen,
                    "score": garment.candidate_score})
    return out


def question_text(question: dict[str, Any]) -> str:
    """ "Is the black boots of image 5 the same as your black boots from image 3?" """
    where = f" of image {question['photo_number']}" if question.get("photo_number") else ""
    photos = question.get("item_photos") or []
    seen = f" from image {photos[0]}" if photos else ""
    return f"Is the {question['name'] or 'garment'}{where} the same as your {question['item_name']}{seen}?"


def item_photo_numbers(session: Session, *, user_id: int) -> dict[int, list[int]]:
    """Item id -> the numbers of the photos it is seen on, ascending."""
    out: dict[int, list[int]] = defaultdict(list)
    query = (select(Garment.item_id, Photo.number).join(Photo, col(Garment.photo_id) == col(Photo.id))
             .where(Garment.user_id == user_id, col(Garment.item_id).is_not(None)).distinct()
             .order_by(col(Photo.number)))
    for item_id, number in session.exec(query):
        out[int(item_id or 0)].append(int(number))
    return dict(out)


def sightings(session: Session, *, user_id: int, item_id: int) -> list[tuple[Garment, int | None]]:
    """An item's sightings with their photo numbers (None for a garment typed by hand)."""
    get_item(session, user_id=user_id, item_id=item_id)
    query = (select(Garment, Photo.number).join(Photo, col(Garment.photo_id) == col(Photo.id), isouter=True)
             .where(Garment.user_id == user_id, Garment.item_id == item_id).order_by(col(Garment.id)))
    return [(g, n) for g, n in session.exec(query)]


def item_rows(session: Session, *, user_id: int) -> list[dict[str, Any]]:
    """The user's items as plain dicts (garment-like keys) with photo_number (first), photo_numbers and crop_key."""
    numbers = item_photo_numbers(session, user_id=user_id)
    all_items = list_items(session, user_id=user_id)
    crops = _item_crops(session, [i.id or 0 for i in all_items])
    rows = []
    for item in all_items:
        row = item.model_dump()
        row["crop_key"] = crops.get(item.id or 0, "")
        seen = numbers.get(item.id or 0, [])
        row["photo_numbers"] = seen
        row["photo_number"] = seen[0] if seen else None
        rows.append(row)
    return rows


def find_repeats(session: Session, *, user_id: int) -> LinkResult:
    """The "find repeats" pass: merge items that are clearly one piece, ask about likely ones.

    Two items seen on a common photo are never merged (one outfit does not show a piece twice).
    """
    result = LinkResult()
    items = list_items(session, user_id=user_id)
    if len(items) < 2:
        return result
    numbers = item_photo_numbers(session, user_id=user_id)
    feats = [features(i) for i in items]
    scores = ItemIndex(feats).scores(feats)
    merged: dict[int, int] = {}  # item id -> the item it went into

    def root(item_id: int) -> int:
        while item_id in merged:
            item_id = merged[item_id]
        return item_id

    photos = {i.id: set(numbers.get(i.id or 0, [])) for i in items}
    found = np.argwhere(np.triu(scores >= ASK_SCORE, 1))
    pairs = sorted(((float(scores[a, b]), int(a), int(b)) for a, b in found), reverse=True)
    for score, a, b in pairs:
        keep, other = root(items[a].id or 0), root(items[b].id or 0)
        if keep == other or photos[keep] & photos[other]:
            continue
        if score >= LINK_SCORE:
            merge(session, user_id=user_id, keep_id=keep, other_id=other)
            merged[other] = keep
            photos[keep] |= photos.pop(other)
            result.linked += 1
            continue
        first = session.exec(select(Garment).where(Garment.item_id == other, col(Garment.candidate_item_id)
                                                   .is_(None)).order_by(col(Garment.id))).first()
        if first is not None:
            first.candidate_item_id, first.candidate_score = keep, round(score, 3)
            session.add(first)
            result.asked += 1
    session.flush()
    return result
