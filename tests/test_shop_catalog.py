"""The demo catalog: size, coverage, determinism, drawn images, and its text search."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from relookx.errors import NotFoundError
from relookx.fashion.colors import delta_e
from relookx.garments import CATEGORIES
from relookx.shop.catalog import (
    BACKGROUND,
    DEMO_SEED,
    DEMO_SIZE,
    IMAGE_SIZE,
    SHAPES,
    SHAPES_FOR_CATEGORY,
    SHOP_NAME,
    TEMPLATES,
    URL_PREFIX,
    CatalogSource,
    catalog_image,
    draw_product,
    generate_catalog,
    product_id,
    template_for,
)
from relookx.shop.types import Product


@pytest.fixture
def catalog(tmp_path: Path) -> CatalogSource:
    """The demo catalog with its images drawn under a temporary root."""
    return CatalogSource(tmp_path / "catalog")


def dominant_hex(image: Image.Image) -> str:
    """The most common pixel color that is not the light background or the floor shadow."""
    colors = image.convert("RGB").getcolors(1 << 20) or []
    for _, rgb in sorted(colors, reverse=True):
        if rgb not in (BACKGROUND, (228, 227, 222)):
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    raise AssertionError("the image is only background")


def test_catalog_size_and_coverage(catalog: CatalogSource) -> None:
    products = catalog.all_products()
    assert len(products) == DEMO_SIZE >= 300
    assert {p.category for p in products} == set(CATEGORIES) - {"other"}
    assert len({p.color for p in products}) >= 25
    bands = Counter("budget" if p.price < 40 else "mid" if p.price < 120 else "premium"
                    for p in products if p.price is not None)
    assert min(bands["budget"], bands["mid"], bands["premium"]) >= 40
    assert min(p.price or 0 for p in products) >= 5 and max(p.price or 0 for p in products) <= 450
    assert {p.availability for p in products} == {"in_stock", "out_of_stock"}
    assert len({p.brand for p in products}) >= 10
    assert len({p.url for p in products}) == len(products)
    assert any(p.regular_price and p.price and p.regular_price > p.price for p in products)


def test_every_product_is_labelled_demo(catalog: CatalogSource) -> None:
    for p in catalog.all_products():
        assert (p.source, p.demo, p.shop, p.currency) == ("catalog", True, SHOP_NAME, "EUR")
        assert p.url.startswith(URL_PREFIX) and " " not in p.url
        assert p.color_hex.startswith("#") and len(p.color_hex) == 7
        assert p.image == str(catalog.root / f"{product_id(p)}.png")


def test_catalog_is_deterministic(tmp_path: Path) -> None:
    first = generate_catalog.__wrapped__(DEMO_SIZE, DEMO_SEED, tmp_path)
    again = generate_catalog.__wrapped__(DEMO_SIZE, DEMO_SEED, tmp_path)
    assert [p.to_dict() for p in first] == [p.to_dict() for p in again]
    other = generate_catalog.__wrapped__(DEMO_SIZE, DEMO_SEED + 1, tmp_path)
    assert [p.to_dict() for p in first] != [p.to_dict() for p in other]


def test_catalog_scales(tmp_path: Path) -> None:
    big = generate_catalog(2000, DEMO_SEED, None)
    assert len(big) == 2000 and len({p.url for p in big}) == 2000
    assert big[:DEMO_SIZE] == generate_catalog(DEMO_SIZE, DEMO_SEED, None)


def test_search_finds_burgundy_sweater(catalog: CatalogSource) -> None:
    found = catalog.search("burgundy sweater", 10)
    assert found, "nothing found"
    assert "burgundy" in found[0].name.lower() and "sweater" in found[0].name.lower()
    assert all(p.category == "top" or p.color == "burgundy" for p in found)


@pytest.mark.parametrize(("query", "word", "category"), [
    ("navy blazer", "blazer", "outerwear"),
    ("Chelsea Boots", "chelsea boots", "footwear"),
    ("white leather sneakers", "sneakers", "footwear"),
    ("camel crossbody bag", "crossbody bag", "bag"),
    ("t-shirts", "t-shirt", "top"),
    ("beanie", "beanie", "headwear"),
])
def test_search_puts_the_named_garment_first(catalog: CatalogSource, query: str, word: str, category: str) -> None:
    found = catalog.search(query, 5)
    assert word in found[0].name.lower() and found[0].category == category


def test_search_limits_and_misses(catalog: CatalogSource) -> None:
    assert len(catalog.search("sweater", 7)) == 7
    assert catalog.search("xyzzy plugh", 10) == []
    assert len(catalog.search("   ", 4)) == 4  # an empty query browses the catalog


def test_search_color_synonyms(catalog: CatalogSource) -> None:
    # "maroon" is not a catalog color: near shades (burgundy, wine, plum) come first.
    found = catalog.search("maroon", 5)
    assert found and all(delta_e(p.color_hex, "#800000") < 20 for p in found)


def test_search_draws_images(catalog: CatalogSource) -> None:
    found = catalog.search("burgundy sweater", 3)
    for product in found:
        path = Path(product.image)
        assert path.is_file()
        with Image.open(path) as img:
            assert img.format == "PNG" and img.size == (IMAGE_SIZE, IMAGE_SIZE)
            assert delta_e(dominant_hex(img), product.color_hex) < 3


def test_catalog_image_by_id(tmp_path: Path) -> None:
    product = generate_catalog()[0]
    path = catalog_image(product_id(product), root=tmp_path)
    assert path == tmp_path / f"{product_id(product)}.png" and path.is_file()
    mtime = path.stat().st_mtime_ns
    assert catalog_image(product_id(product), root=tmp_path).stat().st_mtime_ns == mtime  # cached
    with pytest.raises(NotFoundError):
        catalog_image("no-such-product", root=tmp_path)


def test_every_shape_is_drawn_in_its_color() -> None:
    assert {t.shape for t in TEMPLATES} | set(SHAPES_FOR_CATEGORY.values()) <= set(SHAPES)
    by_shape: dict[str, Product] = {}
    for product in generate_catalog():
        template = template_for(product.name)
        assert template is not None and template.category == product.category, product.name
        by_shape.setdefault(template.shape, product)
    assert set(by_shape) == {t.shape for t in TEMPLATES}
    for shape, product in by_shape.items():
        assert delta_e(dominant_hex(draw_product(product)), product.color_hex) < 3, shape


def test_white_and_black_products_stay_visible() -> None:
    for hex_ in ("#ffffff", "#000000"):
        img = draw_product(Product(source="catalog", url=URL_PREFIX + "x", name="Plain t-shirt", category="top",
                                   color_hex=hex_))
        assert len(img.getcolors(1 << 20) or []) > 3  # an outline or shading sets it off the background
