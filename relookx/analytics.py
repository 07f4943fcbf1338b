"""Pure wardrobe analytics: plain garment/photo rows -> typed frames, numbers and plotly figures.

Nothing here touches Streamlit or the database; pages fetch rows, call these functions and draw the result.
Every function accepts empty input and returns an empty frame or an empty (annotated) figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from relookx.garments import CATEGORIES  # the taxonomy order every chart follows

GARMENT_COLUMNS: tuple[str, ...] = (
    "id",
    "photo_number",
    "name",
    "category",
    "color_name",
    "color_hex",
    "pattern",
    "material",
    "fit",
    "price",
    "context",
    "description",
    "price_text",
    "confidence",
    "source",
    "created_at",
)
PHOTO_COLUMNS: tuple[str, ...] = ("number", "created_at", "status")

_CATEGORY_RANK = {c: i for i, c in enumerate(CATEGORIES)}
# Separators between occasion words in a garment's free-text `context` ("work, casual and weekend").
_OCCASION_SPLIT = re.compile(r"\s*(?:[,/;|&+\n]|\band\b)\s*")
_OCCASION_STRIP = " \t\r\n.:!?\"'()[]{}-"
_HEX_RE = re.compile(r"#?(?:[0-9a-f]{3}|[0-9a-f]{6})")
# Bars of garments whose colour is unknown are drawn in a neutral grey.
UNKNOWN_HEX = "#c8c8c8"
_OUTLINE = "rgba(60, 60, 60, 0.55)"
_HEIGHT = 320
TEMPLATE = "plotly_white"
ACCENT = "#8e3b46"  # the app theme's primary color
ACCENT_2 = "#c08552"


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


# --------------------------------------------------------------------------- frames


def _column(records: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    return [r.get(key) for r in records]


def _clean_text(
    values: list[Any], *, default: str = "", norm: Callable[[str], str] = str.strip
) -> pd.Series:
    """Normalise a text column once per distinct value (wardrobe columns repeat a lot)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    cleaned = [norm(str(u)) or default for u in uniques]
    cleaned.append(default)  # code -1 (missing) picks the last element
    return pd.Series(np.asarray(cleaned, dtype=object)[codes], dtype="str")


def _lower(value: str) -> str:
    return value.strip().lower()


def _norm_hex(value: str) -> str:
    value = value.strip().lower()
    return "#" + value.lstrip("#") if _HEX_RE.fullmatch(value) else ""


def _timestamps(values: list[Any]) -> pd.Series:
    stamps = pd.to_datetime(pd.Series(values, dtype=object), utc=True, errors="coerce", format="ISO8601")
    return stamps.astype("datetime64[us, UTC]")


def _whole_numbers(values: list[Any]) -> pd.Series:
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    numbers = numbers.where(np.isfinite(numbers) & (numbers == np.round(numbers)))
    return numbers.astype("Int64")


def garments_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build the typed garment frame (GARMENT_COLUMNS) from plain rows; missing keys get defaults."""
    records = list(rows)
    ids = pd.to_numeric(pd.Series(_column(records, "id"), dtype=object), errors="coerce")
    ids = ids.fillna(pd.Series(np.arange(len(records)), dtype=float)).astype("int64")
    price = pd.to_numeric(pd.Series(_column(records, "price"), dtype=object), errors="coerce").astype(float)
    frame = {
        "id": ids,
        "photo_number": _whole_numbers(_column(records, "photo_number")),
        "name": _clean_text(_column(records, "name")),
        "category": _clean_text(_column(records, "category"), default="other", norm=_lower),
        "color_name": _clean_text(_column(records, "color_name"), norm=_lower),
        "color_hex": _clean_text(_column(records, "color_hex"), norm=_norm_hex),
        "pattern": _clean_text(_column(records, "pattern"), norm=_lower),
        "material": _clean_text(_column(records, "material"), norm=_lower),
        "fit": _clean_text(_column(records, "fit"), norm=_lower),
        "price": price.where(np.isfinite(price)),
        "context": _clean_text(_column(records, "context")),
        "description": _clean_text(_column(records, "description")),
        "price_text": _clean_text(_column(records, "price_text")),
        "confidence": pd.to_numeric(pd.Series(_column(records, "confidence"), dtype=object),
                                    errors="coerce").astype(float),
        "source": _clean_text(_column(records, "source"), default="manual", norm=_lower),
        "created_at": _timestamps(_column(records, "created_at")),
    }
    return pd.DataFrame(frame, columns=list(GARMENT_COLUMNS))


def photos_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build the typed photo frame (number: Int64, created_at: UTC, status: str) from plain rows."""
    records = list(rows)
    frame = {
        "number": _whole_numbers(_column(records, "number")),
        "created_at": _timestamps(_column(records, "created_at")),
        "status": _clean_text(_column(records, "status"), default="pending", norm=_lower),
    }
    return pd.DataFrame(frame, columns=list(PHOTO_COLUMNS))


# --------------------------------------------------------------------------- numbers


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
    for (name, hex_), n in pairs.items():
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


# --------------------------------------------------------------------------- figures


def _figure(data: list[Any], layout: dict[str, Any]) -> go.Figure:
    """A validated figure wearing the "plotly_white" template."""
    fig = go.Figure(data=data, layout=layout)
    # Validating a template deep-copies all of it (~8 ms per figure, most of the analytics budget).
    # Registered templates are already valid, so attach it unvalidated, as plotly does for its default.
    fig.layout._validate = False
    try:
        fig.layout.template = pio.templates[TEMPLATE]
    finally:
        fig.layout._validate = True
    return fig


def _layout(title: str, x_title: str, y_title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.0, "xanchor": "left"},
        "height": _HEIGHT,
        "margin": {"l": 10, "r": 10, "t": 44, "b": 10},
        "showlegend": False,
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
    }
    layout.update(extra)
    return layout


def count_axis(title: str, largest: float) -> dict[str, Any]:
    """An axis of whole counts: integer ticks at a round step (never 0.5 on small wardrobes)."""
    step = 1
    while largest / step > 6:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return {"title": {"text": title}, "rangemode": "tozero", "tickformat": ",d", "dtick": step}


def _empty(title: str) -> go.Figure:
    """A figure with no data and a short note, so pages can always draw what they get."""
    return _figure(
        [],
        _layout(
            title, "", "",
            xaxis={"visible": False}, yaxis={"visible": False},
            annotations=[{"text": "Nothing to show yet", "showarrow": False, "font": {"size": 14},
                          "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
        )
    )


def fig_categories(df: pd.DataFrame) -> go.Figure:
    """Bar chart of garments per category, in taxonomy order."""
    title = "Garments by category"
    counts = category_counts(df)
    if counts.empty:
        return _empty(title)
    bar = go.Bar(x=counts["category"].tolist(), y=counts["count"].tolist(), marker={"color": ACCENT},
                 hovertemplate="%{x}: %{y} garments<extra></extra>")
    return _figure([bar], _layout(title, "category", "", yaxis=count_axis("garments", counts["count"].max())))


def fig_palette(df: pd.DataFrame) -> go.Figure:
    """Bar per colour name, each drawn in the garments' own hex colour with a thin outline."""
    title = "Color palette"
    palette = color_palette(df)
    if palette.empty:
        return _empty(title)
    hexes = palette["color_hex"].replace("", UNKNOWN_HEX).tolist()
    bar = go.Bar(
        x=palette["color_name"].tolist(), y=palette["count"].tolist(), customdata=hexes,
        marker={"color": hexes, "line": {"color": _OUTLINE, "width": 1}},
        hovertemplate="%{x} (%{customdata}): %{y} garments<extra></extra>",
    )
    return _figure([bar], _layout(title, "color", "", bargap=0.15,
                                  yaxis=count_axis("garments", palette["count"].max())))


def fig_value_by_category(df: pd.DataFrame) -> go.Figure:
    """Bar chart of the estimated value of priced garments per category."""
    title = "Estimated value by category"
    values = value_by_category(df)
    if values.empty:
        return _empty(title)
    bar = go.Bar(
        x=values["category"].tolist(), y=values["value"].tolist(), customdata=values["priced"].tolist(),
        marker={"color": ACCENT_2},
        hovertemplate="%{x}: %{y:,.2f} (%{customdata} priced)<extra></extra>",
    )
    return _figure([bar], _layout(title, "category", "estimated value"))


def fig_occasions(df: pd.DataFrame, *, top: int = 15) -> go.Figure:
    """Horizontal bars of the `top` most frequent occasions, most common first."""
    title = "Occasions"
    counts = occasion_counts(df).head(top)
    if counts.empty:
        return _empty(title)
    bar = go.Bar(x=counts["count"].tolist(), y=counts["occasion"].tolist(), orientation="h",
                 marker={"color": "#6f7d5c"}, hovertemplate="%{y}: %{x} garments<extra></extra>")
    layout = _layout(title, "garments", "", yaxis={"autorange": "reversed", "title": {"text": "occasion"}},
                     xaxis=count_axis("garments", counts["count"].max()))
    return _figure([bar], layout)


def fig_growth(garments: pd.DataFrame, photos: pd.DataFrame) -> go.Figure:
    """Cumulative garments and photos over time."""
    title = "Wardrobe growth"
    daily = growth(garments, photos)
    if daily.empty:
        return _empty(title)
    mode = "lines" if len(daily) > 1 else "markers"
    days = daily["day"].dt.tz_localize(None).to_numpy()
    traces = [
        go.Scatter(x=days, y=daily["garments_total"].to_numpy(), name="garments", mode=mode,
                   line={"color": ACCENT, "shape": "hv"}),
        go.Scatter(x=days, y=daily["photos_total"].to_numpy(), name="photos", mode=mode,
                   line={"color": "#868e96", "shape": "hv"}),
    ]
    largest = max(daily["garments_total"].max(), daily["photos_total"].max())
    layout = _layout(
        title, "date (UTC)", "", showlegend=True, hovermode="x unified", yaxis=count_axis("total", largest),
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
    )
    # Whole days on the axis: with a single day plotly would otherwise zoom to milliseconds.
    xaxis: dict[str, Any] = {"title": {"text": "date (UTC)"}, "tickformat": "%d %b %Y", "dtick": 86_400_000}
    if len(daily) == 1:
        day = pd.Timestamp(days[0])
        xaxis["range"] = [day - pd.Timedelta(days=1), day + pd.Timedelta(days=1)]
    elif (days[-1] - days[0]) > np.timedelta64(14, "D"):
        del xaxis["dtick"]
    layout["xaxis"] = xaxis
    return _figure(traces, layout)
