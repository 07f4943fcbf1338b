"""Wear statistics: pure functions on items and wears, and their figures' empty states."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest

from relookx.analytics import garments_frame
from relookx.analytics import wear as w
from relookx.analytics import wear_figures as wf

TODAY = date(2026, 12, 3)


@pytest.fixture
def items():  # type: ignore[no-untyped-def]
    return garments_frame([
        {"id": 1, "name": "Red top", "category": "top", "color_name": "red", "color_hex": "#c0392b", "price": 30},
        {"id": 2, "name": "Blue jeans", "category": "bottom", "color_name": "blue", "color_hex": "#1f3a93",
         "price": 90},
        {"id": 3, "name": "Silk scarf", "category": "accessory", "color_name": "red", "color_hex": "#c0392b",
         "price": 120},
        {"id": 4, "name": "Old boots", "category": "footwear", "color_name": "black", "color_hex": "#111111",
         "price": None},
    ])


def wears_of(*outfits: tuple[str, date, list[int]]) -> list[dict[str, object]]:
    return [{"outfit": o, "worn_on": d, "item_id": i} for o, d, ids in outfits for i in ids]


@pytest.fixture
def wears():  # type: ignore[no-untyped-def]
    return w.wears_frame(wears_of(
        ("image 1", TODAY - timedelta(days=200), [4]),
        ("image 2", TODAY - timedelta(days=10), [1, 2]),
        ("log 1", TODAY - timedelta(days=3), [1, 2]),
        ("log 2", TODAY, [1]),
        ("log 3", None, [1]),  # a bad row is dropped
    ))


def test_per_item_wears_last_worn_and_cost_per_wear(items, wears) -> None:  # type: ignore[no-untyped-def]
    stats = w.item_wear_stats(items, wears, today=TODAY).set_index("id")
    assert stats["wears"].to_dict() == {1: 3, 2: 2, 3: 0, 4: 1}
    assert stats.loc[1, "cost_per_wear"] == 10.0 and stats.loc[2, "cost_per_wear"] == 45.0
    assert math.isnan(stats.loc[3, "cost_per_wear"]) and math.isnan(stats.loc[4, "cost_per_wear"])
    assert stats.loc[1, "days_since"] == 0 and stats.loc[4, "days_since"] == 200
    assert w.never_worn(stats.reset_index())["id"].tolist() == [3]
    assert w.not_worn_since(stats.reset_index())["id"].tolist() == [4]


def test_summary_shares_and_value_lists(items, wears) -> None:  # type: ignore[no-untyped-def]
    summary = w.wear_summary(items, wears, today=TODAY)
    assert (summary.outfits, summary.wears, summary.items_worn, summary.never_worn) == (4, 6, 3, 1)
    assert summary.not_worn_90_days == 1
    assert summary.worn_share_30_days == 0.5 and summary.worn_share_90_days == 0.5
    assert (summary.first_day, summary.last_day) == ("2026-05-17", "2026-12-03")
    best, worst = w.best_and_worst_value(w.item_wear_stats(items, wears, today=TODAY), n=2)
    assert best["id"].tolist() == [1, 2]
    assert worst["id"].tolist() == [3, 2]  # never worn: its whole price per wear


def test_colors_categories_weeks_and_days(items, wears) -> None:  # type: ignore[no-untyped-def]
    assert w.wears_by_color(items, wears).values.tolist() == [["red", "#c0392b", 3], ["blue", "#1f3a93", 2],
                                                             ["black", "#111111", 1]]
    assert w.wears_by_category(items, wears)["category"].tolist() == ["top", "bottom", "footwear"]
    weeks = w.outfits_per_week(wears)
    assert weeks["outfits"].sum() == 4 and (weeks["week"].dt.day_of_week == 0).all()
    assert len(weeks) == 30  # every week from the first outfit to the last, empty ones included
    assert w.outfit_days(wears)["outfits"].tolist() == [1, 1, 1, 1]


def test_empty_inputs_give_empty_results_and_explaining_figures(items) -> None:  # type: ignore[no-untyped-def]
    none = w.wears_frame([])
    summary = w.wear_summary(items, none, today=TODAY)
    assert (summary.outfits, summary.never_worn, summary.worn_share_30_days) == (0, 4, 0.0)
    assert w.wear_summary(garments_frame([]), none, today=TODAY).items_worn == 0
    for fig in (wf.fig_most_worn(items, none, today=TODAY), wf.fig_worn_colors(items, none),
                wf.fig_worn_categories(items, none), wf.fig_outfits_per_week(none)):
        assert wf.NO_WEARS in json.dumps(fig.to_plotly_json()["layout"])
    assert "last 26 weeks" in json.dumps(wf.fig_calendar(none, today=TODAY).to_plotly_json()["layout"])


def test_figures_draw_items_in_their_colors(items, wears) -> None:  # type: ignore[no-untyped-def]
    bar = wf.fig_most_worn(items, wears, today=TODAY).data[0]
    assert list(bar.y[:2]) == ["Red top (#1)", "Blue jeans (#2)"] and bar.marker.color[0] == "#c0392b"
    heat = wf.fig_calendar(wears, today=TODAY).data[0]
    z = [v for row in heat.z for v in row if v == v]
    assert sum(z) == 3  # the outfits of the last 26 weeks (not the one 200 days ago)
