"""CSV import of items: the export's own format read back, previewed, validated row by row, all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from relookx import garments
from relookx.errors import RelookXError
from relookx.fashion import colors
from relookx.models import Item
from relookx.wardrobe import EXPORT_COLUMNS, price_value

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
IGNORED = ("photo_number", "source", "created_at", "confidence")  # facts of the old account, not of the item
TEXT_FIELDS = ("name", "pattern", "material", "fit", "context", "description", "price_text")


class CsvImportError(RelookXError):
    """The file cannot be imported at all (nothing was written)."""


@dataclass
class ImportRow:
    """One valid row: the item fields, and the id of the user's item it updates (None: a new item).

    A new item that scores at least ASK_SCORE against one the user owns carries it as `similar_*`: the
    preview shows it ("looks like your black boots") and the import can skip such rows.
    """

    line: int
    fields: dict[str, Any]
    update_id: int | None = None
    similar_id: int | None = None
    similar_name: str = ""
    similar_score: float = 0.0


@dataclass
class ImportPreview:
    """What a file would import, and the rows that are wrong (any error refuses the whole file)."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row is valid and there is something to import."""
        return not self.errors and bool(self.rows)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise CsvImportError(f"The file is {len(data) / 1048576:.1f} MB; the limit is 5 MB.")
    if b"\x00" in data[:4096]:
        raise CsvImportError("This is not a CSV text file. Export your wardrobe as CSV and import that file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(f"The file is not UTF-8 text (byte {exc.start}): save it as CSV UTF-8.") from None


def _row(raw: dict[str, str], line: int) -> dict[str, Any]:
    """Validated item fields of one CSV row; RelookXError with the reason when it is wrong."""
    name = (raw.get("name") or "").strip()
    if not name:
        raise RelookXError("the name is empty")
    category = garments.normalize_category(raw.get("category") or "")
    if category == "other" and (raw.get("category") or "").strip().lower() not in ("other", ""):
        raise RelookXError(f"'{raw['category']}' is not a category (use {', '.join(garments.CATEGORIES)})")
    color, hex_text = (raw.get("color") or "").strip().lower(), (raw.get("color_hex") or "").strip()
    hex_ = colors.normalize_hex(hex_text) if hex_text else colors.color_to_hex(color)
    if hex_text and hex_ is None:
        raise RelookXError(f"'{hex_text}' is not a hex color such as #1f3a93")
    if hex_ is None:
        raise RelookXError(f"the color '{color}' is unknown: add a color_hex" if color else "no color given")
    fields: dict[str, Any] = {k: (raw.get(k) or "").strip() for k in TEXT_FIELDS}
    fields.update(name=name, category=category, color_hex=hex_, color_name=color or colors.hex_to_name(hex_))
    try:
        fields["price"] = price_value((raw.get("price") or "").strip())
    except RelookXError:
        raise RelookXError(f"'{raw.get('price')}' is not a price") from None
    return fields


def preview(session: Session, *, user_id: int, data: bytes | str) -> ImportPreview:
    """Read and check a CSV file without writing anything; CsvImportError when the file itself is unusable."""
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise CsvImportError("The file is empty: it needs a header row such as the Wardrobe export's.")
    unknown = [h for h in header if h not in EXPORT_COLUMNS]
    if unknown:
        raise CsvImportError(f"Unknown column(s) {', '.join(unknown)}: use the columns of the Wardrobe export "
                             f"({', '.join(EXPORT_COLUMNS)}).")
    if "name" not in header:
        raise CsvImportError("The file has no 'name' column: use the columns of the Wardrobe export.")
    reader.fieldnames = header
    mine = set(session.exec(select(Item.id).where(Item.user_id == user_id)))
    result = ImportPreview()
    for index, raw in enumerate(reader):
        line = index + 2  # the header is line 1
        if index >= MAX_ROWS:
            raise CsvImportError(f"The file has more than {MAX_ROWS} rows: split it.")
        if None in raw:
            result.errors.append((line, "more values than columns"))
            continue
        if not any((v or "").strip() for v in raw.values()):
            continue
        try:
            fields = _row(raw, line)
        except RelookXError as exc:
            result.errors.append((line, str(exc)))
            continue
        item_id = (raw.get("id") or "").strip()
        update_id = int(item_id) if item_id.isdigit() and int(item_id) in mine else None
        result.rows.append(ImportRow(line=line, fields=fields, update_id=update_id))
    if not result.rows and not result.errors:
        raise CsvImportError("The file has a header but no rows: nothing to import.")
    _flag_similar(session, user_id, [r for r in result.rows if r.update_id is None])
    return result


def _flag_similar(session: Session, user_id: int, rows: list[ImportRow]) -> None:
    """Mark the new rows that look like an item the user owns (the matcher's middle band or above)."""
    from relookx import items  # the matcher (numpy) is loaded when a file is checked
    from relookx.fashion.matching import ASK_SCORE, ItemIndex

    owned = items.list_items(session, user_id=user_id)
    if not rows or not owned:
        return
    index = ItemIndex([items.features(i) for i in owned])
    best_ix, best_score = index.best([items.features(Item(user_id=user_id, **r.fields)) for r in rows])
    for row, ix, score in zip(rows, best_ix.tolist(), best_score.tolist(), strict=True):
        if ix >= 0 and score >= ASK_SCORE:
            row.similar_id, row.similar_name, row.similar_score = owned[ix].id, owned[ix].name, round(score, 3)


def apply(session: Session, *, user_id: int, plan: ImportPreview, skip_similar: bool = False) -> tuple[int, int]:
    """Write a checked preview: (new items, updated items). Refuses a preview with errors.

    With `skip_similar`, new rows that look like an item the user owns are left out.
    """
    if not plan.ok:
        raise CsvImportError(f"Nothing was imported: {len(plan.errors)} row(s) have errors.")
    created = updated = 0
    for row in plan.rows:
        if skip_similar and row.update_id is None and row.similar_id is not None:
            continue
        item = session.get(Item, row.update_id) if row.update_id is not None else None
        if item is None or item.user_id != user_id:
            session.add(Item(user_id=user_id, source="import", confidence=1.0, **row.fields))
            created += 1
        else:
            for key, value in row.fields.items():
                setattr(item, key, value)
            session.add(item)
            updated += 1
    session.flush()
    return created, updated
