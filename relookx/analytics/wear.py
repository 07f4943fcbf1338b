"""Wear statistics (pure): wears per item, last worn, never worn, cost per wear, shares worn, outfits.

Inputs are the items frame (`garments_frame` of item rows: one row per item) and the wears frame
(`wears_frame`: one row per item of an outfit worn on a day). `today` is passed in, so results are
reproducible and testable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import numpy as np
import pandas as pd

WEAR_COLUMNS: tuple[str, ...] = ("outfit", "day", "item_id")
STALE_DAYS = 90
ITEM_STATS_COLUMNS: tuple[str, ...] = ("id", "name", "category", "color_name", "color_hex", "price", "wears",
                                       "last_worn", "days_since", "cost_per_wear")


@dataclass(frozen=True)
class WearSummary:
    """Headline wear numbers."""

    outfits: int
    wears: int
    items_worn: int
    never_worn: int
    not_worn_90_days: int
    worn_share_30_days: float
    worn_share_90_days: float
    first_day: str | None
    last_day: str | None


def wears_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The typed wears frame (outfit: str, day: datetime64 day, item_id: int64); bad rows are dropped."""
    records = list(rows)
    raw_days = [r.get("worn_on") for r in records]
    try:  # date objects (what the store gives): their ordinals, 20x faster than numpy's own conversion
        ordinals = np.fromiter((cast(date, d).toordinal() for d in raw_days), dtype=np.int64, count=len(raw_days))
        day = pd.Series((ordinals - _EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[us]"))
    except (AttributeError, TypeError):  # ISO strings, None: numpy, then pandas for anything else
        day = _parse_days(raw_days)
    raw_ids = [r.get("item_id") for r in records]
    try:
        item = pd.Series(np.array(raw_ids, dtype=float))
    except (ValueError, TypeError):
        item = pd.to_numeric(pd.Series(raw_ids, dtype=object), errors="coerce")
    frame = pd.DataFrame({
        "outfit": pd.Series(np.array([r.get("outfit", "") for r in records], dtype=object), dtype="str"),
        "day": day,
        "item_id": item,
    })
    frame = frame.dropna(subset=["day", "item_id"])
    frame["item_id"] = frame["item_id"].astype("int64")
    return frame.reset_index(drop=True)[list(WEAR_COLUMNS)]


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _parse_days(values: list[Any]) -> pd.Series:
    """Days of ISO strings, dates or junk (NaT) as datetime64 days."""
    try:
        return pd.Series(np.array(values, dtype="datetime64[D]").astype("datetime64[us]"))
    except (ValueError, TypeError):
        parsed = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", utc=True)
        return parsed.dt.tz_localize(None).astype("datetime64[us]").dt.floor("D")


def _today(today: date) -> pd.Timestamp:
    return pd.Timestamp(today).floor("D")


def item_wear_stats(items: pd.DataFrame, wears: pd.DataFrame, *, today: date) -> pd.DataFrame:
    """One row per item (ITEM_STATS_COLUMNS): wears, last worn, days since, cost per wear (price / wears)."""
    grouped = wears.groupby("item_id", sort=False)["day"].agg(["size", "max"])
    ids = items["id"].to_numpy()
    count = grouped["size"].reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    last = pd.Series(grouped["max"].reindex(ids).to_numpy(), dtype="datetime64[us]")
    days_since = (_today(today) - last).dt.days.astype(float)
    price = items["price"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cpw = np.where(count > 0, price / np.maximum(count, 1), np.nan)
    return pd.DataFrame({
        "id": ids, "name": items["name"].to_numpy(), "category": items["category"].to_numpy(),
        "color_name": items["color_name"].to_numpy(), "color_hex": items["color_hex"].to_numpy(),
        "price": price, "wears": count, "last_worn": last, "days_since": days_since.to_numpy(),
        "cost_per_wear": cpw,
    }, columns=list(ITEM_STATS_COLUMNS))


def worn_share(items: pd.DataFrame, wears: pd.DataFrame, *, today: date, days: int) -> float:
    """The share (0..1) of the items worn at least once in the last `days` days (today included)."""
    if not len(items):
        return 0.0
    since = _today(today) - pd.Timedelta(days=days - 1)
    recent = wears.loc[(wears["day"] >= since) & (wears["day"] <= _today(today)), "item_id"]
    return float(np.isin(items["id"].to_numpy(), recent.unique()).mean())


def wear_summary(items: pd.DataFrame, wears: pd.DataFrame, *, today: date) -> WearSummary:
    """Outfits, wears, items worn, never worn, not worn in 90 days, shares worn in 30 and 90 days."""
    stats = item_wear_stats(items, wears, today=today)
    stale = (stats["wears"] > 0) & (stats["days_since"] >= STALE_DAYS)
    known = wears.loc[wears["item_id"].isin(items["id"])]
    return WearSummary(
        outfits=int(known["outfit"].nunique()), wears=len(known),
        items_worn=int((stats["wears"] > 0).sum()), never_worn=int((stats["wears"] == 0).sum()),
        not_worn_90_days=int(stale.sum()),
        worn_share_30_days=round(worn_share(items, wears, today=today, days=30), 4),
        worn_share_90_days=round(worn_share(items, wears, today=today, days=STALE_DAYS), 4),
        first_day=known["day"].min().date().isoformat() if len(known) else None,
        last_day=known["day"].max().date().isoformat() if len(known) else None,
    )


def never_worn(stats: pd.DataFrame) -> pd.DataFrame:
    """Items never worn, most expensive first."""
    return stats.loc[stats["wears"] == 0].sort_values(["price", "id"], ascending=[False, True], na_position="last")


def not_worn_since(stats: pd.DataFrame, *, days: int = STALE_DAYS) -> pd.DataFrame:
    """Items worn before but not in the last `days` days, longest forgotten first."""
    stale = stats.loc[(stats["wears"] > 0) & (stats["days_since"] >= days)]
    return stale.sort_values(["days_since", "id"], ascending=[False, True])


def best_and_worst_value(stats: pd.DataFrame, *, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(best, worst) value: priced items by cost per wear; a never-worn item costs its full price per wear."""
    priced = stats.loc[stats["price"].notna()].copy()
    priced["value_cost"] = np.where(priced["wears"] > 0, priced["cost_per_wear"], priced["price"])
    worn = priced.loc[priced["wears"] > 0]
    best = worn.sort_values(["value_cost", "wears", "id"], ascending=[True, False, True]).head(n)
    worst = priced.sort_values(["value_cost", "id"], ascending=[False, True]).head(n)
    return best.drop(columns="value_cost"), worst.drop(columns="value_cost")


def _wears_by(items: pd.DataFrame, wears: pd.DataFrame, key: str) -> pd.DataFrame:
    joined = wears[["item_id"]].merge(items[["id", key]], left_on="item_id", right_on="id", how="inner")
    counts = joined.loc[joined[key] != "", key].value_counts()
    return pd.DataFrame({key: counts.index.astype(str), "wears": counts.to_numpy(dtype=np.int64)})


def wears_by_color(items: pd.DataFrame, wears: pd.DataFrame) -> pd.DataFrame:
    """Wears per color name (color_name, color_hex, wears), most worn first; hex of the most worn item."""
    by = _wears_by(items, wears, "color_name")
    hexes = (items.loc[items["color_hex"] != ""].drop_duplicates("color_name").set_index("color_name")["color_hex"])
    by.insert(1, "color_hex", by["color_name"].map(hexes).fillna("").astype(str))
    return by


def wears_by_category(items: pd.DataFrame, wears: pd.DataFrame) -> pd.DataFrame:
    """Wears per category (category, wears), most worn first."""
    return _wears_by(items, wears, "category")


def outfit_days(wears: pd.DataFrame) -> pd.DataFrame:
    """Outfits per day (day, outfits), for the calendar heat map."""
    per_day = wears.drop_duplicates(["outfit", "day"]).groupby("day").size()
    return pd.DataFrame({"day": per_day.index, "outfits": per_day.to_numpy(dtype=np.int64)})


def outfits_per_week(wears: pd.DataFrame) -> pd.DataFrame:
    """Outfits per week (week: its Monday, outfits), every week from the first to the last included."""
    days = outfit_days(wears)
    if days.empty:
        return pd.DataFrame({"week": pd.Series([], dtype="datetime64[us]"), "outfits": pd.Series([], dtype="int64")})
    monday = days["day"] - pd.to_timedelta(days["day"].dt.day_of_week, unit="D")
    per_week = days.groupby(monday)["outfits"].sum()
    weeks = pd.date_range(per_week.index.min(), per_week.index.max(), freq="7D", unit="us")
    return pd.DataFrame({"week": weeks, "outfits": per_week.reindex(weeks, fill_value=0).to_numpy(dtype=np.int64)})
