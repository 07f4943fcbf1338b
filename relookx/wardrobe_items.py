"""The wardrobe as items with their wear figures: what the Wardrobe page, the CLI and the CSV share."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session

from relookx import analytics, items, store, wear
from relookx.analytics import wear as wear_stats
from relookx.wardrobe import export_record

# Keys of one item in `python -m relookx wardrobe items --json`, in this order.
ITEM_KEYS = ("id", "name", "category", "color", "color_hex", "price", "wears", "last_worn", "cost_per_wear",
             "photo_numbers", "pattern", "material", "fit", "context", "description", "source")


@dataclass
class WardrobeData:
    """The user's items (rows and frame), photos, wears and per-item wear figures."""

    rows: list[dict[str, Any]]
    items: pd.DataFrame
    photos: pd.DataFrame
    wears: pd.DataFrame
    stats: pd.DataFrame
    today: date


def load(session: Session, *, user_id: int, today: date | None = None) -> WardrobeData:
    """Read everything the wardrobe views need in one go."""
    day = today or date.today()
    rows = items.item_rows(session, user_id=user_id)
    frame = analytics.garments_frame(rows)
    wears = wear_stats.wears_frame(wear.wear_rows(session, user_id=user_id))
    photos = analytics.photos_frame(store.photo_rows(session, user_id=user_id))
    stats = wear_stats.item_wear_stats(frame, wears, today=day)
    return WardrobeData(rows=rows, items=frame, photos=photos, wears=wears, stats=stats, today=day)


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and value != value else value


def item_records(data: WardrobeData) -> list[dict[str, Any]]:
    """One JSON-able record per item with ITEM_KEYS (wears, last worn, cost per wear, photos)."""
    by_id = data.stats.set_index("id")
    out = []
    for row in data.rows:
        s = by_id.loc[row["id"]]
        cpw = _plain(s["cost_per_wear"])
        record = {**row, "color": row.get("color_name", ""), "wears": int(s["wears"]),
                  "last_worn": _plain(s["last_worn"]), "cost_per_wear": round(cpw, 2) if cpw is not None else None}
        out.append({k: _plain(record.get(k)) if k != "photo_numbers" else list(record[k]) for k in ITEM_KEYS})
    return out


def export_rows(data: WardrobeData) -> list[dict[str, Any]]:
    """The items as CSV export records (EXPORT_COLUMNS: the first photo's number as photo_number)."""
    return [export_record(row) for row in data.rows]


def wear_figures(data: WardrobeData, *, top: int = 5) -> dict[str, Any]:
    """The wear block of `wardrobe stats --json`: summary, most worn, never worn, best and worst value."""
    summary = dataclasses.asdict(wear_stats.wear_summary(data.items, data.wears, today=data.today))
    records = {r["id"]: r for r in item_records(data)}

    def listed(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [{k: records[int(i)][k] for k in ("id", "name", "price", "wears", "last_worn", "cost_per_wear")}
                for i in frame["id"].tolist()]

    most = data.stats.loc[data.stats["wears"] > 0].sort_values(["wears", "id"], ascending=[False, True]).head(top)
    best, worst = wear_stats.best_and_worst_value(data.stats, n=top)
    return {
        **summary,
        "most_worn": listed(most),
        "never_worn_items": listed(wear_stats.never_worn(data.stats).head(top)),
        "not_worn_90_days_items": listed(wear_stats.not_worn_since(data.stats).head(top)),
        "best_value": listed(best), "worst_value": listed(worst),
        "wears_by_color": wear_stats.wears_by_color(data.items, data.wears).head(10).to_dict("records"),
        "wears_by_category": wear_stats.wears_by_category(data.items, data.wears).to_dict("records"),
        "outfits_per_week": [{"week": w.date().isoformat(), "outfits": int(n)} for w, n in
                             wear_stats.outfits_per_week(data.wears).itertuples(index=False)][-12:],
    }


def table(data: WardrobeData) -> pd.DataFrame:
    """The items frame with its wear columns (wears, last_worn, cost_per_wear) and `photos` ("1, 4")."""
    frame = data.items.copy()
    stats = data.stats.set_index("id")
    for key in ("wears", "last_worn", "cost_per_wear"):
        frame[key] = stats[key].reindex(frame["id"]).to_numpy()
    frame["photos"] = [", ".join(map(str, r["photo_numbers"])) for r in data.rows]
    return frame


def seen_on(data: WardrobeData, numbers: list[int]) -> pd.Series:
    """A mask of the items seen on any of these photos (all items when `numbers` is empty)."""
    wanted = set(numbers)
    if not wanted:
        return pd.Series(True, index=range(len(data.rows)))
    return pd.Series([bool(wanted.intersection(r["photo_numbers"])) for r in data.rows])
