"""The color heuristic (the offline analyzer's fallback) on synthetic outfit photos."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from relookx.fashion.colors import delta_e
from relookx.garments import CATEGORIES
from relookx.vision.base import AnalysisResult, OutfitAnalyzer
from relookx.vision.heuristic import HeuristicAnalyzer
from tests.imagegen import make_outfit_photo, to_bytes

OUTFITS = [
    {},
    {"top": "#2e8b57", "bottom": "#c3b091", "shoes": "#8b4513"},
    {"top": "#f5f5f5", "bottom": "#222222", "shoes": "#ffffff", "background": "#cfd8dc"},
    {"top": "#f4a7b9", "bottom": "#1f2a44", "shoes": "#c0392b", "skin": "#8d5524"},
    {"top": "#d8c3a5", "bottom": "#556b2f", "shoes": "#f2f2f2", "background": "#3a3a3a"},
    {"top": "#6a3d9a", "bottom": "#ffd700", "shoes": "#1f3a93", "size": (900, 600)},
]


@pytest.fixture(scope="module")
def analyzer() -> HeuristicAnalyzer:
    return HeuristicAnalyzer()


def by_category(result: AnalysisResult) -> dict[str, str]:
    return {g.category: g.color_hex for g in result.garments}


def test_implements_protocol(analyzer: HeuristicAnalyzer) -> None:
    checked: OutfitAnalyzer = analyzer
    assert checked.name == "offline"


@pytest.mark.parametrize("outfit", OUTFITS, ids=lambda o: "-".join(str(v) for v in o.values()) or "default")
def test_colors_match_the_drawn_outfit(analyzer: HeuristicAnalyzer, outfit: dict) -> None:
    result = analyzer.analyze(make_outfit_photo(**outfit))
    colors = by_category(result)
    assert set(colors) == {"top", "bottom", "footwear"}
    assert delta_e(colors["top"], outfit.get("top", "#c0392b")) < 15
    assert delta_e(colors["bottom"], outfit.get("bottom", "#1f3a93")) < 15
    assert delta_e(colors["footwear"], outfit.get("shoes", "#111111")) < 15
    assert result.analyzer == "offline"
    assert result.notes and "no AI model" in result.notes[0]
    for g in result.garments:
        assert g.category in CATEGORIES
        assert 0 < g.confidence <= 0.4
        assert g.color_name and g.name.lower() == f"{g.color_name} {g.category}"
        assert g.pattern == "solid"
        assert g.price and "offline guess" in g.price_text
        assert "% of the" in g.description


def test_names_use_the_everyday_palette(analyzer: HeuristicAnalyzer) -> None:
    result = analyzer.analyze(make_outfit_photo())
    assert [g.name for g in result.garments] == ["Red top", "Blue bottom", "Black footwear"]


def test_dress_is_one_garment(analyzer: HeuristicAnalyzer) -> None:
    result = analyzer.analyze(make_outfit_photo(dress=True, top="#2e8b57"))
    colors = by_category(result)
    assert set(colors) == {"dress", "footwear"}
    assert delta_e(colors["dress"], "#2e8b57") < 15


def test_same_color_top_and_bottom_is_noted(analyzer: HeuristicAnalyzer) -> None:
    result = analyzer.analyze(make_outfit_photo(top="#222222", bottom="#222222"))
    assert {"top", "bottom"} <= set(by_category(result))
    assert any("same color" in n for n in result.notes)


def test_patterned_top(analyzer: HeuristicAnalyzer) -> None:
    img = make_outfit_photo(top="#ffffff", background="#9e9e9e", noise=0)
    arr = np.asarray(img).copy()
    stripes = (arr == 255).all(axis=2) & ((np.arange(arr.shape[0]) // 12) % 2 == 0)[:, None]
    arr[stripes] = (20, 40, 140)  # navy stripes on the white top
    result = analyzer.analyze(Image.fromarray(arr))
    top = next(g for g in result.garments if g.category == "top")
    assert top.pattern == "patterned/multicolor"


def test_deterministic(analyzer: HeuristicAnalyzer) -> None:
    img = make_outfit_photo(top="#ff7f50", size=(500, 800))
    assert analyzer.analyze(img).garments == analyzer.analyze(img.copy()).garments


def test_no_person(analyzer: HeuristicAnalyzer) -> None:
    for img in (Image.new("RGB", (640, 480), "#eeeeee"), Image.new("RGB", (8, 8), "red"),
                Image.fromarray(np.random.default_rng(3).integers(0, 255, (300, 400, 3), dtype=np.uint8))):
        result = analyzer.analyze(img)
        assert result.garments == []
        assert len(result.notes) >= 2


def test_feet_cut_off(analyzer: HeuristicAnalyzer) -> None:
    result = analyzer.analyze(make_outfit_photo().crop((0, 0, 600, 700)))
    assert "footwear" not in by_category(result)
    assert any("cut off" in n for n in result.notes)


def test_other_modes_and_jpeg_round_trip(analyzer: HeuristicAnalyzer) -> None:
    photo = make_outfit_photo()
    jpeg = Image.open(io.BytesIO(to_bytes(photo, "JPEG", quality=70)))
    for img in (jpeg, photo.convert("RGBA"), photo.convert("P")):
        colors = by_category(analyzer.analyze(img))
        assert delta_e(colors["top"], "#c0392b") < 15


def test_large_photo(analyzer: HeuristicAnalyzer) -> None:
    img = make_outfit_photo(size=(4000, 3000), noise=0)
    result = analyzer.analyze(img)
    assert delta_e(by_category(result)["top"], "#c0392b") < 15
    assert result.seconds > 0
