"""Wardrobe analytics: known small wardrobes give exact numbers and figures; empty input never fails."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from relookx import analytics as an


def garment(**overrides: Any) -> dict[str, Any]:
    """A garment row with sensible defaults, overridden by keyword."""
    row: dict[str, Any] = {
        "id": 1,
        "photo_number": 1,
        "name": "white t-shirt",
        "category": "top",
        "color_name": "white",
        "color_hex": "#ffffff",
        "pattern": "solid",
        "material": "cotton",
        "fit": "regular",
        "price": None,
        "context": "casual",
        "source": "offline",
        "created_at": datetime(2024, 3, 1, 10, tzinfo=UTC),
    }
    row.update(overrides)
    return row


def day(d: int, hour: int = 12) -> datetime:
    return datetime(2024, 3, d, hour, tzinfo=UTC)


@pytest.fixture
def rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Six garments over three photos (plus one added by hand), four priced."""
    garments = [
        garment(id=1, photo_number=1, category="top", color_name="Navy", color_hex="#1F2A44", price=20.0,
                context="Work, casual", created_at=day(1)),
        garment(id=2, photo_number=1, category="bottom", color_name="navy", color_hex="#000080",
                price=50.0, context="work and weekend", created_at=day(1)),
        garment(id=3, photo_number=2, category="footwear", color_name="white", color_hex="#ffffff",
                price=float("nan"), context="casual/sport", created_at=day(2)),
        garment(id=4, photo_number=2, category="top", color_name="white", color_hex="ffffff",
                price=30.0, context="casual", created_at=day(2)),
        garment(id=5, photo_number=3, category="outerwear", color_name="navy", color_hex="#1f2a44",
                price=None, context="", created_at=day(4)),
        garment(id=6, photo_number=None, category="bag", color_name="cream", color_hex="#fffdd0",
                price=100.0, context="Evening; party", source="manual", created_at=day(4)),
    ]
    photos = [
        {"number": 1, "created_at": day(1, 9), "status": "done"},
        {"number": 2, "created_at": day(2, 9), "status": "done"},
        {"number": 3, "created_at": day(4, 9), "status": "done"},
    ]
    return garments, photos


@pytest.fixture
def frames(rows: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return an.garments_frame(rows[0]), an.photos_frame(rows[1])


# --------------------------------------------------------------------------- frames


def test_garments_frame_types_and_normalisation(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    g, _ = frames
    assert list(g.columns) == list(an.GARMENT_COLUMNS)
    assert g["id"].dtype == "int64"
    assert str(g["photo_number"].dtype) == "Int64"
    assert g["price"].dtype == "float64"
    assert str(g["created_at"].dtype).startswith("datetime64") and str(g["created_at"].dt.tz) == "UTC"
    assert g["photo_number"].isna().tolist() == [False] * 5 + [True]
    assert g["color_name"].tolist()[:2] == ["navy", "navy"]
    assert g["color_hex"].tolist()[:4] == ["#1f2a44", "#000080", "#ffffff", "#ffffff"]
    assert g["price"].isna().tolist() == [False, False, True, False, True, False]


def test_missing_keys_get_defaults() -> None:
    g = an.garments_frame([{"name": "scarf", "created_at": "2024-05-01T08:30:00+02:00"}, {}])
    assert g["id"].tolist() == [0, 1]
    assert g["category"].tolist() == ["other", "other"]
    assert g["source"].tolist() == ["manual", "manual"]
    assert g["context"].tolist() == ["", ""]
    assert g["photo_number"].isna().all() and g["price"].isna().all()
    assert g["created_at"].iloc[0] == pd.Timestamp("2024-05-01T06:30:00", tz="UTC")
    assert pd.isna(g["created_at"].iloc[1])


def test_naive_datetimes_are_read_as_utc() -> None:
    p = an.photos_frame([{"number": "4", "created_at": datetime(2024, 1, 2, 3)}])
    assert p["number"].tolist() == [4]
    assert p["created_at"].iloc[0] == pd.Timestamp("2024-01-02T03:00:00", tz="UTC")
    assert p["status"].tolist() == ["pending"]


def test_empty_input_gives_typed_empty_frames() -> None:
    g, p = an.garments_frame([]), an.photos_frame(iter([]))
    assert g.empty and list(g.columns) == list(an.GARMENT_COLUMNS)
    assert p.empty and list(p.columns) == list(an.PHOTO_COLUMNS)
    assert str(g["photo_number"].dtype) == "Int64" and g["price"].dtype == "float64"
    assert str(g["created_at"].dt.tz) == "UTC" and str(p["created_at"].dt.tz) == "UTC"


# --------------------------------------------------------------------------- numbers


def test_summary(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    s = an.summary(*frames)
    assert s == an.WardrobeSummary(
        garments=6, photos=3, total_value=200.0, priced=4,
        top_color_name="navy", top_color_hex="#1f2a44", categories=5,
    )


def test_summary_color_ties_are_deterministic() -> None:
    g = an.garments_frame([garment(color_name="red", color_hex="#ff0000"),
                           garment(color_name="blue", color_hex="#0000ff")])
    s = an.summary(g, an.photos_frame([]))
    assert (s.top_color_name, s.top_color_hex) == ("blue", "#0000ff")


def test_summary_of_nothing() -> None:
    s = an.summary(an.garments_frame([]), an.photos_frame([]))
    assert s == an.WardrobeSummary(0, 0, 0.0, 0, None, None, 0)


def test_category_counts_follow_taxonomy(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    counts = an.category_counts(frames[0])
    assert list(zip(counts["category"], counts["count"], strict=True)) == [
        ("top", 2), ("bottom", 1), ("outerwear", 1), ("footwear", 1), ("bag", 1),
    ]


def test_unknown_categories_come_last() -> None:
    g = an.garments_frame([garment(category="zz"), garment(category="other"), garment(category="aa")])
    assert an.category_counts(g)["category"].tolist() == ["other", "aa", "zz"]


def test_color_palette(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    palette = an.color_palette(frames[0])
    assert palette.to_dict("records") == [
        {"color_name": "navy", "color_hex": "#1f2a44", "count": 3},
        {"color_name": "white", "color_hex": "#ffffff", "count": 2},
        {"color_name": "cream", "color_hex": "#fffdd0", "count": 1},
    ]


def test_palette_prefers_a_known_hex_and_skips_unnamed() -> None:
    g = an.garments_frame([
        garment(color_name="olive", color_hex=""), garment(color_name="olive", color_hex=""),
        garment(color_name="olive", color_hex="#708238"), garment(color_name="", color_hex="#123456"),
    ])
    assert an.color_palette(g).to_dict("records") == [
        {"color_name": "olive", "color_hex": "#708238", "count": 3},
    ]


def test_value_by_category_ignores_unknown_prices(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    values = an.value_by_category(frames[0])
    assert values.to_dict("records") == [
        {"category": "top", "value": 50.0, "priced": 2, "average": 25.0},
        {"category": "bottom", "value": 50.0, "priced": 1, "average": 50.0},
        {"category": "bag", "value": 100.0, "priced": 1, "average": 100.0},
    ]


@pytest.mark.parametrize(
    ("context", "words"),
    [
        ("Work, casual and weekend", ["casual", "weekend", "work"]),
        ("black-tie / Evening & date night; party.", ["black-tie", "date night", "evening", "party"]),
        ("brandy and candy", ["brandy", "candy"]),
        ("  ", []),
        ("work, work", ["work"]),
    ],
)
def test_split_occasions(context: str, words: list[str]) -> None:
    assert an.split_occasions(context) == words


def test_occasion_counts(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    counts = an.occasion_counts(frames[0])
    assert dict(zip(counts["occasion"], counts["count"], strict=True)) == {
        "casual": 3, "work": 2, "evening": 1, "party": 1, "sport": 1, "weekend": 1,
    }
    assert counts["occasion"].tolist()[:2] == ["casual", "work"]  # most common first, then by name
    assert counts["occasion"].tolist()[2:] == ["evening", "party", "sport", "weekend"]


def test_growth_per_day_and_cumulative(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    daily = an.growth(*frames)
    assert [d.date().isoformat() for d in daily["day"]] == ["2024-03-01", "2024-03-02", "2024-03-03",
                                                            "2024-03-04"]
    assert daily["new_garments"].tolist() == [2, 2, 0, 2]
    assert daily["new_photos"].tolist() == [1, 1, 0, 1]
    assert daily["garments_total"].tolist() == [2, 4, 4, 6]
    assert daily["photos_total"].tolist() == [1, 2, 2, 3]


@pytest.mark.parametrize(
    ("selection", "ids"),
    [
        ({}, [1, 2, 3, 4, 5, 6]),
        ({"categories": ["top"]}, [1, 4]),
        ({"categories": ["Top", "bag"]}, [1, 4, 6]),
        ({"colors": ["NAVY"]}, [1, 2, 5]),
        ({"occasions": ["casual"]}, [1, 3, 4]),
        ({"occasions": ["Weekend", "party"]}, [2, 6]),
        ({"occasions": ["wor"]}, []),  # whole words only
        ({"photos": [2, 3]}, [3, 4, 5]),
        ({"categories": ["top"], "colors": ["white"], "occasions": ["casual"], "photos": [2]}, [4]),
    ],
)
def test_filter_garments(
    frames: tuple[pd.DataFrame, pd.DataFrame], selection: dict[str, list[Any]], ids: list[int]
) -> None:
    assert an.filter_garments(frames[0], **selection)["id"].tolist() == ids


def test_aggregations_of_an_empty_wardrobe() -> None:
    g, p = an.garments_frame([]), an.photos_frame([])
    for frame in (an.category_counts(g), an.color_palette(g), an.value_by_category(g),
                  an.occasion_counts(g), an.growth(g, p),
                  an.filter_garments(g, categories=["top"], occasions=["work"], photos=[1])):
        assert frame.empty
    assert list(an.growth(g, p).columns) == ["day", "new_garments", "new_photos", "garments_total",
                                             "photos_total"]


def test_no_prices_means_zero_value() -> None:
    g = an.garments_frame([garment(price=None), garment(price=float("nan")), garment(price="n/a")])
    assert an.value_by_category(g).empty
    s = an.summary(g, an.photos_frame([]))
    assert (s.total_value, s.priced) == (0.0, 0)


# --------------------------------------------------------------------------- figures


def test_palette_bars_wear_their_own_colors(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    fig = an.fig_palette(frames[0])
    (bar,) = fig.data
    assert list(bar.x) == ["navy", "white", "cream"]
    assert list(bar.y) == [3, 2, 1]
    assert list(bar.marker.color) == ["#1f2a44", "#ffffff", "#fffdd0"]
    assert bar.marker.line.width and bar.marker.line.color  # white and cream stay visible


def test_unknown_hex_is_drawn_grey() -> None:
    fig = an.fig_palette(an.garments_frame([garment(color_name="mystery", color_hex="not a color")]))
    assert list(fig.data[0].marker.color) == [an.UNKNOWN_HEX]


def test_figures_use_the_aggregates(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    g, p = frames
    cats = an.fig_categories(g).data[0]
    assert list(cats.x) == ["top", "bottom", "outerwear", "footwear", "bag"]
    assert list(cats.y) == [2, 1, 1, 1, 1]
    value = an.fig_value_by_category(g)
    assert list(value.data[0].y) == [50.0, 50.0, 100.0]
    assert value.layout.yaxis.title.text == "estimated value"
    occ = an.fig_occasions(g, top=2).data[0]
    assert list(occ.y) == ["casual", "work"] and list(occ.x) == [3, 2] and occ.orientation == "h"
    growth = an.fig_growth(g, p)
    assert [t.name for t in growth.data] == ["garments", "photos"]
    assert list(growth.data[0].y) == [2, 4, 4, 6] and list(growth.data[1].y) == [1, 2, 2, 3]


@pytest.mark.parametrize("name", ["fig_categories", "fig_palette", "fig_value_by_category", "fig_occasions"])
def test_figure_layout(frames: tuple[pd.DataFrame, pd.DataFrame], name: str) -> None:
    fig = getattr(an, name)(frames[0])
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text
    assert fig.layout.showlegend is False
    assert fig.layout.height == 320
    assert fig.layout.template.layout.paper_bgcolor == "white"  # plotly_white is attached
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    fig.to_json()  # serialisable as Streamlit will need it


def test_figures_do_not_share_the_template(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    fig = an.fig_categories(frames[0])
    fig.layout.template.layout.paper_bgcolor = "red"
    assert an.fig_categories(frames[0]).layout.template.layout.paper_bgcolor == "white"


def test_empty_figures_do_not_fail() -> None:
    g, p = an.garments_frame([]), an.photos_frame([])
    figures = [an.fig_categories(g), an.fig_palette(g), an.fig_value_by_category(g), an.fig_occasions(g),
               an.fig_growth(g, p)]
    for fig in figures:
        assert len(fig.data) == 0
        assert fig.layout.annotations[0].text == "Nothing to show yet"
        fig.to_json()


def test_single_day_growth_shows_markers() -> None:
    g = an.garments_frame([garment(created_at=day(5))])
    fig = an.fig_growth(g, an.photos_frame([]))
    assert fig.data[0].mode == "markers" and list(fig.data[0].y) == [1]
    assert not math.isnan(float(fig.data[1].y[0]))
