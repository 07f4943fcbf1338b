"""Categories, colors, prices and garment normalisation."""

from __future__ import annotations

import math

import pytest

from relookx.fashion.colors import (
    COLORS,
    color_to_hex,
    delta_e,
    hex_to_hsl,
    hex_to_lab,
    hex_to_name,
    hex_to_rgb,
    is_neutral,
    normalize_hex,
    rgb_to_hex,
)
from relookx.garments import CATEGORIES, normalize_category, normalize_garment, parse_price
from relookx.vision.base import GarmentDraft


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("T-Shirt", "top"), ("tees", "top"), ("Shirt", "top"), ("blouses", "top"), ("Sweater", "top"),
        ("hoodie", "top"), ("polo shirt", "top"), ("tank top", "top"), ("Tank", "top"),
        ("jeans", "bottom"), ("Skinny Jeans", "bottom"), ("trousers", "bottom"), ("pants", "bottom"),
        ("chinos", "bottom"), ("pleated skirt", "bottom"), ("shorts", "bottom"), ("leggings", "bottom"),
        ("dress", "dress"), ("Dresses", "dress"), ("shirt dress", "dress"), ("gown", "dress"),
        ("jumpsuit", "dress"),
        ("denim jacket", "outerwear"), ("coats", "outerwear"), ("blazer", "outerwear"),
        ("parka", "outerwear"), ("cardigan", "outerwear"),
        ("sneakers", "footwear"), ("ankle boots", "footwear"), ("shoes", "footwear"), ("heels", "footwear"),
        ("sandals", "footwear"), ("loafer", "footwear"),
        ("hat", "headwear"), ("baseball cap", "headwear"), ("beanie", "headwear"), ("beret", "headwear"),
        ("handbag", "bag"), ("Backpacks", "bag"), ("tote", "bag"), ("clutch", "bag"), ("purse", "bag"),
        ("belt", "accessory"), ("scarves", "accessory"), ("watches", "accessory"), ("jewelry", "accessory"),
        ("necklace", "accessory"), ("sunglasses", "accessory"), ("tie", "accessory"),
        ("spaceship", "other"), ("", "other"), ("  ", "other"),
    ],
)
def test_normalize_category(text: str, category: str) -> None:
    assert normalize_category(text) == category


def test_categories_map_to_themselves() -> None:
    for category in CATEGORIES:
        assert normalize_category(category) == category
        assert normalize_category(category.upper() + "S") == category


def test_colors_cover_css_and_fashion_names() -> None:
    css_samples = {"aliceblue", "rebeccapurple", "papayawhip", "lightgoldenrodyellow", "gray", "grey"}
    assert css_samples <= COLORS.keys()
    assert len(COLORS) >= 148 + 20
    for name in ("navy", "burgundy", "olive", "beige", "cream", "charcoal", "camel", "khaki", "ivory",
                 "mustard", "rust", "teal", "mint", "blush", "taupe", "denim", "wine", "emerald",
                 "sage", "terracotta", "off-white", "nude"):
        assert normalize_hex(COLORS[name]) == COLORS[name], name


@pytest.mark.parametrize(
    ("name", "hex_"),
    [
        ("red", "#ff0000"), ("Light Blue", "#add8e6"), ("lightblue", "#add8e6"), ("light-blue", "#add8e6"),
        ("AliceBlue", "#f0f8ff"), ("dark gray", "#a9a9a9"), ("burgundy", "#800020"),
        ("Off White", "#f3efe4"), ("off-white", "#f3efe4"), ("#ABC", "#aabbcc"), ("abc123", "#abc123"),
    ],
)
def test_color_to_hex(name: str, hex_: str) -> None:
    assert color_to_hex(name) == hex_


def test_color_to_hex_unknown_and_modifiers() -> None:
    assert color_to_hex("sparkly unicorn") is None
    assert color_to_hex("") is None
    assert color_to_hex("dark navy blue") == COLORS["navy blue"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("#ABC", "#aabbcc"), ("abc123", "#abc123"), (" #A1B2C3 ", "#a1b2c3"), ("rgb(255, 0, 10)", "#ff000a"),
     ("#abcd", None), ("blue", None), ("", None), (None, None), ("rgb(300,0,0)", None)],
)
def test_normalize_hex(text: str | None, expected: str | None) -> None:
    assert normalize_hex(text) == expected


@pytest.mark.parametrize(
    ("hex_", "name"),
    [
        ("#000000", "black"), ("#111111", "black"), ("#fafafa", "white"), ("#7f7f7f", "grey"),
        ("#c0392b", "red"), ("#1f2a44", "navy"), ("#1f3a93", "blue"), ("#2e8b57", "green"),
        ("#800020", "burgundy"), ("#c19a6b", "camel"), ("#d8c3a5", "beige"), ("#f4a7b9", "pink"),
        ("#ffd700", "yellow"), ("#6a3d9a", "purple"), ("#556b2f", "olive"), ("#8b4513", "brown"),
        ("#ff8c00", "orange"), ("#add8e6", "light blue"),
    ],
)
def test_hex_to_name_nearest(hex_: str, name: str) -> None:
    assert hex_to_name(hex_) == name


def test_palette_names_round_trip() -> None:
    for name in ("navy", "khaki", "olive", "brown", "beige", "charcoal", "camel", "mustard", "teal",
                 "light grey", "light blue", "burgundy", "sage", "denim"):
        assert hex_to_name(color_to_hex(name) or "") == name


def test_rgb_hsl_lab_conversions() -> None:
    assert hex_to_rgb("#ff8000") == (255, 128, 0)
    assert rgb_to_hex((255, 128, 0)) == "#ff8000"
    assert rgb_to_hex((300.0, -5.0, 127.6)) == "#ff0080"
    hue, sat, light = hex_to_hsl("#ff0000")
    assert (hue, sat, light) == pytest.approx((0.0, 1.0, 0.5))
    assert hex_to_hsl("#00ff00")[0] == pytest.approx(120.0)
    assert hex_to_hsl("#808080")[1] == pytest.approx(0.0)
    lab_white = hex_to_lab("#ffffff")
    assert lab_white == pytest.approx((100.0, 0.0, 0.0), abs=0.05)
    assert hex_to_lab("#ff0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.1)
    with pytest.raises(ValueError):
        hex_to_rgb("not a color")


def test_delta_e() -> None:
    assert delta_e("#123456", "#123456") == 0.0
    assert delta_e("#000000", "#ffffff") == pytest.approx(100.0, abs=0.01)
    # Sharma et al. (2005) reference pair 1 in Lab; checked through a near-identical sRGB pair here.
    assert delta_e("#c0392b", "#c1392b") < 1.0
    assert delta_e("#c0392b", "#1f3a93") > 40


@pytest.mark.parametrize(
    ("hex_", "neutral"),
    [("#000000", True), ("#ffffff", True), ("#808080", True), ("#1f2a44", True), ("#d8c3a5", True),
     ("#c19a6b", True), ("#ff0000", False), ("#2e8b57", False), ("#ffd700", False), ("#f4a7b9", False)],
)
def test_is_neutral(hex_: str, neutral: bool) -> None:
    assert is_neutral(hex_) is neutral


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("Estimated $50 - $100", 75.0), ("$40", 40.0), ("around 30 euros", 30.0), ("€1.299,00", 1299.0),
        ("1,299.99 USD", 1299.99), ("40-60€", 50.0), ("between 30 and 50 EUR", 40.0), ("€ 45,50", 45.5),
        ("29.99", 29.99), ("$1.2k", 1200.0), ("USD 80 to 120", 100.0), ("1 299 €", 1299.0),
        ("free", None), ("unknown", None), ("", None), (None, None),
        (40, 40.0), (12.5, 12.5), (-3, None), (float("nan"), None),
    ],
)
def test_parse_price(text: str | float | None, price: float | None) -> None:
    assert parse_price(text) == price


def test_normalize_garment_fills_and_cleans() -> None:
    raw = GarmentDraft(name="  ", category=" Skinny JEANS ", color_name="", color_hex="1F3A93",
                       price_text="Estimated $50 - $100", confidence=3.0, material="  denim ")
    out = normalize_garment(raw)
    assert out is not raw
    assert out.category == "bottom"
    assert out.color_hex == "#1f3a93"
    assert out.color_name == "blue"
    assert out.name == "Blue bottom"
    assert out.price == 75.0
    assert out.confidence == 1.0
    assert out.material == "denim"
    assert raw.category == " Skinny JEANS "  # the input is left alone


def test_normalize_garment_color_from_name_and_hex_in_name() -> None:
    out = normalize_garment(GarmentDraft(name="Trench", category="trench coat", color_name="Camel",
                                         color_hex="", price=120.0, price_text="$80", confidence=-1))
    assert (out.category, out.color_name, out.color_hex) == ("outerwear", "camel", COLORS["camel"])
    assert out.price == 120.0  # an explicit price wins over the text
    assert out.confidence == 0.0
    moved = normalize_garment(GarmentDraft(name="Tee", category="tee", color_name="#FF0000", color_hex=""))
    assert (moved.color_hex, moved.color_name) == ("#ff0000", "red")


def test_normalize_garment_unknown_color_stays_empty() -> None:
    out = normalize_garment(GarmentDraft(name="", category="widget", color_name="", color_hex="",
                                         confidence=float("nan")))
    assert (out.category, out.color_hex, out.color_name, out.name) == ("other", "", "", "Other")
    assert out.confidence == 0.0
    assert not math.isnan(out.confidence)
