"""Ranking products against a piece on known catalogs, and the search that combines sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relookx.fashion.colors import COLORS
from relookx.fashion.pieces import Piece
from relookx.shop.catalog import CatalogSource, generate_catalog
from relookx.shop.http import ShopError
from relookx.shop.ranking import rank
from relookx.shop.search import DEMO_NOTE, broader_queries, find_products, query_for, search_text
from relookx.shop.types import Product


def product(name: str, category: str, color: str, price: float | None, *, availability: str = "in_stock",
            hex_: bool = True, source: str = "test") -> Product:
    """A product of a known catalog; its hex comes from the color name unless `hex_` is False."""
    return Product(source=source, url=f"https://shop.example/{name.lower().replace(' ', '-')}-{price}", name=name,
                   price=price, currency="EUR", availability=availability, color=color,
                   color_hex=COLORS[color] if hex_ and color else "", category=category)


OVERSHIRT = Piece(name="Burgundy corduroy overshirt", category="outerwear", color_name="burgundy",
                  color_hex="#800020", price=60.0, description="A warm corduroy overshirt to layer over tees.")


def names(ranked: list) -> list[str]:
    return [f"{r.product.name} {r.product.price:g}" for r in ranked]


def test_overshirt_scenario_right_product_first() -> None:
    catalog = [
        product("Burgundy cotton t-shirt", "top", "burgundy", 25),
        product("Navy corduroy overshirt", "outerwear", "navy", 70),
        product("Burgundy corduroy overshirt", "outerwear", "burgundy", 160),
        product("Burgundy corduroy overshirt", "outerwear", "burgundy", 70),
    ]
    ranked = rank(OVERSHIRT, catalog, budget=80)
    assert names(ranked)[:2] == ["Burgundy corduroy overshirt 70", "Burgundy corduroy overshirt 160"]
    best, over = ranked[0], ranked[1]
    assert best.reasons == ["same category", "color close to burgundy (ΔE 0)", "within budget (70 of 80 EUR)",
                            "name matches 'corduroy overshirt'"]
    assert "over budget (160 vs 80 EUR)" in over.reasons
    by_name = {f"{r.product.name} {r.product.price:g}": r for r in ranked}
    assert "related category (top)" in by_name["Burgundy cotton t-shirt 25"].reasons
    assert any(r.startswith("color differs (navy") for r in by_name["Navy corduroy overshirt 70"].reasons)
    assert 0 <= ranked[-1].score <= best.score <= 1


@pytest.mark.parametrize(("piece", "budget", "catalog", "expected"), [
    (Piece(name="White leather sneakers", category="footwear", color_name="white", color_hex="#ffffff", price=90),
     None,
     [product("Cream canvas sneakers", "footwear", "cream", 60), product("White leather tote", "bag", "white", 80),
      product("Black leather sneakers", "footwear", "black", 90),
      product("White leather sneakers", "footwear", "white", 95)],
     "White leather sneakers 95"),
    (Piece(name="Navy wool blazer", category="outerwear", color_name="navy", color_hex="#202a44"),
     150.0,
     [product("Navy wool blazer", "outerwear", "navy", 320), product("Black wool blazer", "outerwear", "black", 140),
      product("Navy wool trousers", "bottom", "navy", 90), product("Navy cotton blazer", "outerwear", "navy", 140)],
     "Navy cotton blazer 140"),
    (Piece(name="Sage midi dress", category="dress", color_name="sage", color_hex="#9caf88"),
     None,
     [product("Mint midi dress", "dress", "mint", 80), product("Sage midi skirt", "bottom", "sage", 60),
      product("Sage linen maxi dress", "dress", "sage", 90), product("Sage midi dress", "dress", "sage", 85)],
     "Sage midi dress 85"),
    (Piece(name="Wine merino sweater", category="top", color_name="wine", color_hex="#722f37", price=70),
     None,
     [product("Red merino sweater", "top", "red", 60), product("Burgundy merino sweater", "top", "burgundy", 60),
      product("Wine merino scarf", "accessory", "wine", 40)],
     "Burgundy merino sweater 60"),
])
def test_known_catalogs(piece: Piece, budget: float | None, catalog: list[Product], expected: str) -> None:
    ranked = rank(piece, catalog, budget=budget)
    assert names(ranked)[0] == expected, [(r.product.name, r.score, r.reasons) for r in ranked]
    assert len(ranked) == len(catalog)


def test_out_of_stock_ranks_below_an_equal_in_stock_product() -> None:
    gone = product("Burgundy corduroy overshirt", "outerwear", "burgundy", 70, availability="out_of_stock")
    there = product("Burgundy corduroy overshirt", "outerwear", "burgundy", 70)
    ranked = rank(OVERSHIRT, [gone, there], budget=80)
    assert [r.product.availability for r in ranked] == ["in_stock", "out_of_stock"]
    assert "out of stock" in ranked[1].reasons and ranked[1].score < ranked[0].score


@pytest.mark.parametrize("piece", [
    Piece(name="Dark green velvet blazer", category="outerwear", color_name="dark green", color_hex="#055441",
          price=85.0, description="A tailored blazer in dark green velvet, with a soft, brushed nap."),
    Piece(name="Terracotta pinstriped denim jeans", category="bottom", color_name="terracotta",
          color_hex="#e2725b", price=60.0),
    Piece(name="Dark green merino cardigan", category="outerwear", color_name="dark green", color_hex="#055441",
          price=70.0),
])
def test_the_asked_kind_of_garment_comes_before_a_closer_color_of_another_kind(piece: Piece) -> None:
    """Pieces the offline stylist really recommended: the demo catalog's closest colors were a sweater, a
    tote bag and a polo shirt, ranked first before the category counted for more than a weighted part."""
    ranked = rank(piece, list(generate_catalog()), limit=3)
    assert [r.product.category for r in ranked] == [piece.category] * 3, names(ranked)


def test_missing_colors_and_prices() -> None:
    named_only = product("Burgundy corduroy overshirt", "outerwear", "burgundy", 70, hex_=False)
    no_color = product("Corduroy overshirt", "outerwear", "", 70)
    no_price = product("Burgundy corduroy overshirt", "outerwear", "burgundy", None)
    ranked = {r.product.url: r for r in rank(OVERSHIRT, [no_color, no_price, named_only], budget=80)}
    assert "color close to burgundy (ΔE 0)" in ranked[named_only.url].reasons  # derived from the name
    assert "color unknown" in ranked[no_color.url].reasons
    assert "no price given" in ranked[no_price.url].reasons
    assert ranked[named_only.url].score > ranked[no_color.url].score
    assert ranked[named_only.url].score > ranked[no_price.url].score


def test_estimated_price_when_no_budget_and_uncategorised_products() -> None:
    shop_item = Product(source="page", url="https://shop.example/p/1", name="Corduroy Overshirt - Burgundy",
                        price=55, currency="EUR")
    [ranked] = rank(OVERSHIRT, [shop_item])
    assert ranked.reasons[:3] == ["same category", "color close to burgundy (ΔE 0)",
                                  "within the estimated price (55 of ~60 EUR)"]


def test_ranking_is_deterministic_and_limited() -> None:
    catalog = list(generate_catalog())
    first = rank(OVERSHIRT, catalog, budget=80, limit=5)
    assert len(first) == 5
    assert [r.product.url for r in first] == [r.product.url for r in rank(OVERSHIRT, catalog, budget=80, limit=5)]
    twins = [product("Burgundy corduroy overshirt", "outerwear", "burgundy", 70, source=s) for s in "abc"]
    assert [r.product.source for r in rank(OVERSHIRT, twins)] == ["a", "b", "c"]  # ties keep the input order
    assert rank(OVERSHIRT, []) == [] and rank(OVERSHIRT, catalog, limit=0) == []


def test_ranking_ten_thousand_products() -> None:
    # Speed is measured by benchmarks/shop_search.py; here only the result on a large catalog.
    catalog = list(generate_catalog(10_000, 1, None))
    ranked = rank(OVERSHIRT, catalog, budget=80)
    assert "corduroy overshirt" in ranked[0].product.name.lower()


@pytest.mark.parametrize(("piece", "query", "broader"), [
    (OVERSHIRT, "burgundy corduroy overshirt", ["corduroy overshirt", "overshirt", "jacket"]),
    (Piece(name="Slim-fit navy wool blazer", category="outerwear", color_name="navy", color_hex=""),
     "navy wool blazer", ["wool blazer", "blazer", "jacket"]),
    (Piece(name="Trench coat in camel", category="outerwear", color_name="", color_hex="#c19a6b"),
     "camel trench coat", ["trench coat", "coat", "jacket"]),
    (Piece(name="Something bold", category="bag", color_name="mustard", color_hex=""), "mustard bag", ["bag"]),
])
def test_query_for(piece: Piece, query: str, broader: list[str]) -> None:
    assert query_for(piece) == query
    assert broader_queries(piece) == [query, *broader]


class FailingShop:
    """A shop whose robots.txt forbids searching."""

    name = "shop.example"

    def search(self, query: str, limit: int) -> list[Product]:
        raise ShopError("robots.txt disallows /search", kind="robots")


class PickyShop:
    """A shop that only finds something once the color is dropped; it records every query."""

    name = "picky.example"

    def __init__(self) -> None:
        self.queries: list[str] = []

    def search(self, query: str, limit: int) -> list[Product]:
        self.queries.append(query)
        if query == "corduroy overshirt":
            return [product("Corduroy overshirt in wine", "outerwear", "wine", 75, source="shopify")]
        return []


@pytest.fixture
def catalog(tmp_path: Path) -> CatalogSource:
    """The demo catalog without drawing images (the catalog tests cover those)."""
    return CatalogSource(tmp_path / "catalog", draw_images=False)


def test_find_products_survives_a_failing_shop(catalog: CatalogSource) -> None:
    picky = PickyShop()
    progress: list[tuple[str, float]] = []
    outcome = find_products(OVERSHIRT, [FailingShop(), picky, catalog], budget=80,
                            on_progress=lambda text, done: progress.append((text, done)))
    assert outcome.sources_tried == ["shop.example", "picky.example", "catalog"]
    assert "shop.example: robots.txt disallows /search" in outcome.notes
    assert "picky.example: nothing for 'burgundy corduroy overshirt', showing results for 'corduroy overshirt'" \
        in outcome.notes
    assert DEMO_NOTE in outcome.notes
    assert picky.queries == ["burgundy corduroy overshirt", "corduroy overshirt"]
    assert len(outcome.ranked) == 3 and outcome.query == "burgundy corduroy overshirt"
    assert outcome.ranked[0].product.name == "Burgundy corduroy overshirt" and outcome.ranked[0].product.demo
    assert {r.product.source for r in outcome.ranked} >= {"catalog", "shopify"}
    assert progress[0] == ("Searching shop.example…", 0.0) and progress[-1][1] == 1.0
    assert outcome.seconds >= 0
    as_json = json.loads(json.dumps(outcome.to_dict()))
    assert as_json["ranked"][0]["product"]["name"] == "Burgundy corduroy overshirt"
    assert as_json["notes"] == outcome.notes


def test_find_products_with_no_source_answering() -> None:
    outcome = find_products(OVERSHIRT, [FailingShop()])
    assert outcome.ranked == [] and outcome.notes == ["shop.example: robots.txt disallows /search"]


def test_search_text_filters(catalog: CatalogSource) -> None:
    outcome = search_text("black boots", [catalog, FailingShop()], limit=5, max_price=150, in_stock_only=True)
    assert outcome.ranked and all(r.product.price is not None and r.product.price <= 150 for r in outcome.ranked)
    assert all(r.product.availability == "in_stock" for r in outcome.ranked)
    assert "boots" in outcome.ranked[0].product.name.lower()
    assert "shop.example: robots.txt disallows /search" in outcome.notes
    only = search_text("black boots", [catalog, FailingShop()], source_names={"catalog"})
    assert only.sources_tried == ["catalog"]
    cheap = search_text("wool coat", [catalog], min_price=1, max_price=2)
    assert cheap.ranked == [] and any("filters" in note for note in cheap.notes)
    assert search_text("  ", [catalog]).ranked == []


def test_filter_ranked_keeps_unpriced_products_and_applies_each_filter() -> None:
    from relookx.shop.search import filter_ranked
    from relookx.shop.types import Product, RankedProduct

    def item(name: str, price: float | None, shop: str, stock: str) -> RankedProduct:
        return RankedProduct(Product(source="page", url=f"https://x.example/{name}", name=name, price=price,
                                     shop=shop, availability=stock), 0.5)

    ranked = [item("a", 20, "one", "in_stock"), item("b", 90, "two", "in_stock"), item("c", None, "one", "unknown"),
              item("d", 40, "one", "out_of_stock")]
    names = lambda rs: [r.product.name for r in rs]  # noqa: E731
    assert names(filter_ranked(ranked, price=(10, 50))) == ["a", "c", "d"]
    assert names(filter_ranked(ranked, shops={"two"})) == ["b"]
    assert names(filter_ranked(ranked, in_stock_only=True)) == ["a", "b"]
    assert names(filter_ranked(ranked)) == ["a", "b", "c", "d"]
