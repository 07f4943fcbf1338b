"""Numbers of a wardrobe: summary, palette, counts by category and occasion, value, growth, filters."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any, cast

import numpy as np
import pandas as pd

from relookx.garments import CATEGORIES  # the taxonomy order every chart follows

_CATEGORY_RANK = {c: i for i, c in enumerate(CATEGORIES)}
# Separators between occasion words in a garment's free-text `context` ("work, casual and weekend").
_OCCASION_SPLIT = re.compile(r"\s*(?:[,/;|&+\n]|\band\b)\s*")
_OCCASION_STRIP = " \t\r\n.:!?\"'()[]{}-"


@dataclass(frozen=True)
class WardrobeSummary:
    """Headline numbers of a wardrobe."""

    garments: int
    photos: int
    total_value: float
    priced: int
    top_color_name: str | None
    top_color_hex: str | None
    categories: int


def _category_key(category: str) -> tuple[int, str]:
    """Sort key: taxonomy order first, unknown categories after it, alphabetically."""
    return (_CATEGORY_RANK.get(category, len(CATEGORIES)), category)


def _frame(columns: dict[str, str], rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """A small aggregate frame with fixed dtypes, also when there are no rows."""
    data = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    pairs = zip(columns.items(), data, strict=True)
    return pd.DataFrame({name: pd.Series(list(values), dtype=dtype) for (name, dtype), values in pairs})


def color_palette(df: pd.DataFrame) -> pd.DataFrame:
    """One row per colour name (color_name, color_hex, count): its most frequent hex, most common first."""
    pairs = df.loc[df["color_name"] != "", ["color_name", "color_hex"]].value_counts(sort=False)
    totals: dict[str, int] = {}
    best: dict[str, tuple[bool, int, str]] = {}
    for pair, n in pairs.items():
        name, hex_ = cast(tuple[str, str], pair)
        totals[name] = totals.get(name, 0) + int(n)
        # Prefer a known hex, then the most frequent one, then the smallest (deterministic ties).
        key = (hex_ == "", -int(n), hex_)
        if name not in best or key < best[name]:
            best[name] = key
    rows = [(name, best[name][2], n) for name, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    return _frame({"color_name": "str", "color_hex": "str", "count": "int64"}, rows)


def summary(garments: pd.DataFrame, photos: pd.DataFrame) -> WardrobeSummary:
    """Headline numbers: counts, value of priced garments, most frequent colour, distinct categories."""
    palette = color_palette(garments)
    prices = garments["price"]
    top = palette.iloc[0] if len(palette) else None
    return WardrobeSummary(
        garments=len(garments),
        photos=len(photos),
        total_value=float(prices.sum(skipna=True)) if len(prices) else 0.0,
        priced=int(prices.notna().sum()),
        top_color_name=str(top["color_name"]) if top is not None else None,
        top_color_hex=(str(top["color_hex"]) or None) if top is not None else None,
        categories=int(garments["category"].nunique()),
    )


def split_occasions(context: str) -> list[str]:
    """Distinct occasion words of a context, sorted ("Work, casual and weekend" -> casual, weekend, work)."""
    return sorted({w.strip(_OCCASION_STRIP) for w in _OCCASION_SPLIT.split(context.lower())} - {""})


def _occasion_pairs(context: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(row positions, word ids, vocabulary): one pair per garment and distinct occasion word."""
    codes, uniques = pd.factorize(context, use_na_sentinel=True)
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(w, len(vocab)) for w in split_occasions(str(u))] for u in uniques.tolist()]
    ids.append([])  # code -1 (missing context) picks this empty list
    counts = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64)
    per_row = counts[codes]
    starts = (np.cumsum(counts) - counts)[codes]  # where each row's words begin in `flat`
    row_ends = np.cumsum(per_row)
    take = np.repeat(starts - (row_ends - per_row), per_row) + np.arange(int(per_row.sum()))
    return np.repeat(np.arange(len(codes)), per_row), flat[take], list(vocab)


def filter_garments(
    df: pd.DataFrame,
    *,
    categories: Iterable[str] = (),
    colors: Iterable[str] = (),
    occasions: Iterable[str] = (),
    photos: Iterable[int] = (),
) -> pd.DataFrame:
    """Garments matching every non-empty selection (case-insensitive names, photo numbers)."""
    mask = np.ones(len(df), dtype=bool)
    if wanted := {c.strip().lower() for c in categories}:
        mask &= df["category"].str.lower().isin(wanted).to_numpy()
    if wanted := {c.strip().lower() for c in colors}:
        mask &= df["color_name"].str.lower().isin(wanted).to_numpy()
    if wanted := {o.strip().lower() for o in occasions}:
        rows, word_ids, vocab = _occasion_pairs(df["context"])
        wanted_ids = [i for i, word in enumerate(vocab) if word in wanted]
        hit = np.zeros(len(df), dtype=bool)
        hit[rows[np.isin(word_ids, wanted_ids)]] = True
        mask &= hit
    if wanted_numbers := {int(p) for p in photos}:
        mask &= df["photo_number"].isin(wanted_numbers).fillna(False).to_numpy(dtype=bool)
    return df.loc[mask]


def category_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Garments per category (columns category, count), in taxonomy order."""
    counts = df["category"].value_counts(sort=False)
    rows = sorted(((str(c), int(n)) for c, n in counts.items()), key=lambda r: _category_key(r[0]))
    return _frame({"category": "str", "count": "int64"}, rows)


def value_by_category(df: pd.DataFrame) -> pd.DataFrame:
    """Known value per category (category, value, priced, average), in taxonomy order; NaN ignored."""
    priced = df.loc[df["price"].notna(), ["category", "price"]]
    grouped = priced.groupby("category", sort=False)["price"]
    sums, counts = grouped.sum(), grouped.size()
    rows = sorted(
        ((str(c), float(sums[c]), int(counts[c]), float(sums[c]) / int(counts[c])) for c in sums.index),
        key=lambda r: _category_key(r[0]),
    )
    return _frame({"category": "str", "value": "float64", "priced": "int64", "average": "float64"}, rows)


def occasion_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Garments per occasion word (columns occasion, count), most common first."""
    _, word_ids, vocab = _occasion_pairs(df["context"])
    counts = np.bincount(word_ids, minlength=len(vocab))
    rows = sorted(zip(vocab, counts.tolist(), strict=True), key=lambda r: (-r[1], r[0]))
    return _frame({"occasion": "str", "count": "int64"}, rows)


def growth(garments: pd.DataFrame, photos: pd.DataFrame) -> pd.DataFrame:
    """Per UTC day from first to last activity: new_garments, new_photos, garments_total, photos_total."""
    g_days = garments["created_at"].dropna().dt.floor("D").value_counts(sort=False)
    p_days = photos["created_at"].dropna().dt.floor("D").value_counts(sort=False)
    active = g_days.index.union(p_days.index)
    if len(active):
        days = pd.date_range(active.min(), active.max(), freq="D", unit="us")
    else:
        days = pd.DatetimeIndex([], dtype="datetime64[us, UTC]")
    new_garments = g_days.reindex(days, fill_value=0).to_numpy(dtype=np.int64)
    new_photos = p_days.reindex(days, fill_value=0).to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "day": pd.Series(days, dtype="datetime64[us, UTC]"),
            "new_garments": new_garments,
            "new_photos": new_photos,
            "garments_total": np.cumsum(new_garments),
            "photos_total": np.cumsum(new_photos),
        }
    )
