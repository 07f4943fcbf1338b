"""Wardrobe editing and export: tag edits of items from the table, garments added by hand, CSV."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from relookx import garments, items, store
from relookx.errors import RelookXError
from relookx.fashion import colors
from relookx.models import Garment, Item
from relookx.vision.base import GarmentDraft

EDITABLE = ("name", "category", "color_name", "color_hex", "pattern", "material", "fit", "price",
            "context", "description")
# Keys of one garment in the CSV export and in `python -m relookx wardrobe list --json`, in this order.
EXPORT_COLUMNS = (
    "photo_number", "name", "category", "color", "color_hex", "price", "price_text", "context",
    "pattern", "material", "fit", "description", "confidence", "source", "id", "created_at",
)


def clean_changes(current: Garment | Item, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise edited tags; a new color name without a new hex gets its hex."""
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in EDITABLE:
            raise RelookXError(f"The column '{key}' cannot be edited.")
        if key == "price":
            clean[key] = price_value(value)
        else:
            clean[key] = "" if value is None else str(value).strip()
    if "category" in clean:
        category = garments.normalize_category(clean["category"])
        if category == "other" and clean["category"].lower() != "other":
            raise RelookXError(
                f"'{clean['category']}' is not a category: use one of {', '.join(garments.CATEGORIES)}."
            )
        clean["category"] = category
    if "color_hex" in clean:
        hex_ = colors.normalize_hex(clean["color_hex"])
        if hex_ is None:
            raise RelookXError(f"'{clean['color_hex']}' is not a hex color such as #1f3a93.")
        clean["color_hex"] = hex_
    elif "color_name" in clean and clean["color_name"]:
        hex_ = colors.color_to_hex(clean["color_name"])
        if hex_ is not None and hex_ != current.color_hex:
            clean["color_hex"] = hex_
    if "color_name" in clean:
        clean["color_name"] = clean["color_name"].lower()
    return clean


def price_value(value: Any) -> float | None:
    """A price typed in a cell (number or text such as "45 €") as a number; None when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    price = garments.parse_price(value)
    if price is None or price < 0:
        raise RelookXError(f"'{value}' is not a price: type a number such as 45.")
    return price


def apply_edits(
    session: Session, *, user_id: int, edits: Mapping[int, Mapping[str, Any]], deletions: Iterable[int] = ()
) -> int:
    """Apply tag edits {item id: {column: value}} and deletions of items; returns the number changed.

    Deleting an item deletes its sightings too (the garments of its photos).
    """
    changed = 0
    for item_id, changes in edits.items():
        current = items.get_item(session, user_id=user_id, item_id=item_id)
        clean = clean_changes(current, changes)
        if clean:
            for key, value in clean.items():
                setattr(current, key, value)
            session.add(current)
            changed += 1
    for item_id in deletions:
        item = items.get_item(session, user_id=user_id, item_id=item_id)
        for garment, _number in items.sightings(session, user_id=user_id, item_id=item_id):
            session.delete(garment)
        session.delete(item)
        changed += 1
    session.flush()
    return changed


def add_by_hand(
    session: Session, *, user_id: int, name: str, category: str, color: str, price: Any = None,
    context: str = "", fit: str = "", material: str = "", pattern: str = "", description: str = "",
    photo_id: int | None = None,
) -> Garment:
    """Add a garment typed by the user (on one of their photos, or not), matched against the items like a photo's.

    The color may be a name or hex.
    """
    if not name.strip():
        raise RelookXError("Give the garment a name, for example 'Olive chinos'.")
    hex_ = colors.normalize_hex(color) or colors.color_to_hex(color)
    if hex_ is None:
        raise RelookXError(f"'{color}' is not a color RelookX knows: use a name such as navy or a hex value.")
    color_name = color.strip().lower() if colors.color_to_hex(color) else colors.hex_to_name(hex_)
    draft = garments.normalize_garment(GarmentDraft(
        name=name, category=category, color_name=color_name, color_hex=hex_, price=price_value(price),
        context=context, fit=fit, material=material, pattern=pattern, description=description,
        confidence=1.0,
    ))
    garment = store.add_garment(session, user_id=user_id, draft=draft, source="manual", photo_id=photo_id)
    items.link_garments(session, user_id=user_id, garments=[garment])
    return garment


def linked_to(session: Session, *, user_id: int, garment: Garment) -> str | None:
    """The name of the existing item a garment was linked to (None when it became a new item)."""
    if garment.item_id is None:
        return None
    item = items.get_item(session, user_id=user_id, item_id=garment.item_id)
    others = [g for g, _ in items.sightings(session, user_id=user_id, item_id=garment.item_id) if g.id != garment.id]
    return item.name if others else None


def _plain(value: Any) -> Any:
    if value is not None and value != value:  # NaN, NaT
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy and pandas scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def export_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One garment row (store or analytics frame) as a flat JSON-able record with EXPORT_COLUMNS."""
    full = {**row, "color": row.get("color", row.get("color_name", ""))}
    return {key: _plain(full.get(key)) for key in EXPORT_COLUMNS}


def garments_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The garments as CSV text with a header row (the Wardrobe download and the CLI export)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in export_record(row).items()})
    return out.getvalue()
