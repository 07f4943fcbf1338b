"""The product-page parser on saved pages the project writes (tests/data/pages): every field and its source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.shop_parse import PAGE_URL, make_page
from relookx.shop.parse import (
    availability,
    detect_currency,
    detect_platform,
    loads_lenient,
    parse_product,
    price_field,
    product_record,
)
from relookx.shop.types import Product

PAGES = Path(__file__).parent / "data" / "pages"


def page(name: str) -> str:
    """A saved page's HTML."""
    return (PAGES / name).read_text(encoding="utf-8")


def parsed(name: str, url: str) -> dict[str, Any]:
    """The parsed product of a saved page as a dict (fails when the page gives none)."""
    product = parse_product(page(name), url)
    assert product is not None, name
    return product.to_dict()


def expected(url: str, provenance: dict[str, str], **fields: Any) -> dict[str, Any]:
    """Every field of the Product we expect: the ones given, defaults for the rest."""
    host = url.split("/")[2]
    return Product(source="page", shop=host, provenance=provenance, **{"url": url, **fields}).to_dict()


def from_(source: str, *fields: str, **others: str) -> dict[str, str]:
    """A provenance dict: each field from `source`, plus `others` (field=source)."""
    return {**dict.fromkeys(fields, source), **others}


def test_json_ld_product_with_one_offer() -> None:
    url = "https://atelier-north.example/p/slim-fit-wool-blazer-navy"
    assert parsed("jsonld_offer.html", url) == expected(
        url, from_("json-ld", "name", "brand", "price", "currency", "availability", "image", "url", "color",
                   "color_hex", "description", "category"),
        name="Slim-Fit Wool Blazer", brand="Atelier North", price=249.0, currency="EUR", availability="in_stock",
        image="https://cdn.atelier-north.example/img/blazer-navy-1.jpg", color="Navy", color_hex="#202a44",
        category="outerwear", description="A two-button blazer in 100% virgin wool, half-lined.",
    )


def test_json_ld_graph_with_references_and_a_list_price() -> None:
    url = "https://hafenkind.example/produkt/leinenhemd/?utm_source=newsletter"
    # The brand is an @id reference to the Organization; the ListPrice spec is the old price.
    assert parsed("jsonld_graph.html", url) == expected(
        "https://hafenkind.example/produkt/leinenhemd/",
        from_("json-ld", "name", "brand", "price", "regular_price", "currency", "availability", "image", "url",
              "color", "color_hex", "description"),
        name='Leinenhemd "Ostsee"', brand="Hafenkind GmbH", price=59.9, regular_price=79.9, currency="EUR",
        availability="in_stock", image="https://hafenkind.example/wp-content/uploads/leinenhemd-sand.jpg",
        color="Sand", color_hex="#d8c8a8", description="Luftiges Hemd aus reinem Leinen.",
    )


def test_json_ld_top_level_array_and_type_list() -> None:
    url = "https://bootmaker.example/shoes/boots/chelsea-cognac"
    assert parsed("jsonld_array.html", url) == expected(
        url, from_("json-ld", "name", "brand", "price", "currency", "availability", "image", "color", "color_hex",
                   "category", url="page"),
        name="Leather Chelsea Boot", brand="Bootmaker & Co", price=189.5, currency="GBP", availability="in_stock",
        image="https://bootmaker.example/media/chelsea-cognac-front.jpg", color="cognac", color_hex="#9a463d",
        category="footwear",
    )


def test_product_group_takes_the_lowest_in_stock_variant() -> None:
    url = "https://fieldhouse.example/products/merino-crew"
    # XS at 95 is out of stock: the price is the lowest one that can be bought.
    assert parsed("jsonld_productgroup.html", url) == expected(
        url, from_("json-ld", "name", "brand", "price", "currency", "availability", "image", "url", "color",
                   "color_hex", "description", "category"),
        name="Merino Crew Jumper", brand="Fieldhouse", price=99.0, currency="USD", availability="in_stock",
        image="https://fieldhouse.example/img/merino-crew-burgundy.jpg", color="Burgundy", color_hex="#800020",
        category="top", description="Fine-gauge merino wool crew neck.",
    )


def test_product_group_follows_the_variant_in_the_page_url() -> None:
    url = "https://fieldhouse.example/products/merino-crew?variant=101"
    product = parsed("jsonld_productgroup.html", url)
    assert (product["name"], product["price"], product["availability"], product["url"]) == (
        "Merino Crew Jumper", 95.0, "out_of_stock", url)


def test_lowercase_types_and_a_european_price_string() -> None:
    url = "https://maison-celeste.example/robes/robe-portefeuille"
    # "Rouge" is not a color name we know and "Robe" no category: both stay empty rather than guessed.
    assert parsed("jsonld_lowercase.html", url) == expected(
        url, from_("json-ld", "name", "brand", "price", "currency", "availability", "image", "color", url="page"),
        name="Robe portefeuille fleurie", brand="Maison Céleste", price=1234.56, currency="EUR",
        availability="in_stock", image="https://maison-celeste.example/media/robe-fleurie.jpg", color="Rouge",
    )


def test_lenient_json_ld_cdata_comments_control_characters_trailing_commas() -> None:
    url = "https://lumen.example/skirts/pleated-midi"
    assert parsed("jsonld_lenient.html", url) == expected(
        url, from_("json-ld", "name", "brand", "price", "currency", "availability", "image", "color", "color_hex",
                   "description", "category", url="page"),
        name="Pleated Midi Skirt", brand="Lumen Studio", price=69.95, currency="EUR", availability="in_stock",
        image="https://lumen.example/img/skirt-dusty-pink.jpg", color="Dusty Pink", color_hex="#d4a5a5",
        category="bottom", description="Soft pleats. Fully lined. Machine washable.",
    )


def test_aggregate_offer_gives_the_low_price() -> None:
    url = "https://compare.example/p/quilted-puffer"
    assert parsed("jsonld_aggregate.html", url) == expected(
        url, from_("json-ld", "name", "brand", "price", "currency", "availability", "image", "color", "color_hex",
                   "category", url="page"),
        name="Quilted Puffer Jacket", brand="Alpine Row", price=119.99, currency="GBP", availability="in_stock",
        image="https://compare.example/images/puffer-olive.webp", color="Olive", color_hex="#6b6b3a",
        category="outerwear",
    )


def test_one_offer_per_size_and_currency_from_the_price_symbol() -> None:
    url = "https://greyline.example/products/classic-crew-tee"
    # XS at $19 is out of stock; "$24.00" has no priceCurrency, so the $ sign gives USD.
    assert parsed("jsonld_sizes.html", url) == expected(
        url, from_("json-ld", "name", "brand", "price", "currency", "availability", "image", "color", "color_hex",
                   "category", url="page"),
        name="Classic Crew Tee", brand="Greyline", price=24.0, currency="USD", availability="in_stock",
        image="https://greyline.example/cdn/tee-white.png", color="white", color_hex="#ffffff", category="top",
    )


def test_microdata_only_prefers_content_attributes() -> None:
    url = "https://harbour-goods.example/bags/canvas-tote?ref=home"
    # The offer's link is /bags/canvas-tote but it is the Offer's url, not the Product's.
    assert parsed("microdata.html", url) == expected(
        url, from_("microdata", "name", "brand", "price", "currency", "availability", "image", "color", "color_hex",
                   "description", "category", url="page"),
        name="Heavy Canvas Tote Bag", brand="Harbour Goods", price=45.0, currency="GBP", availability="in_stock",
        image="https://harbour-goods.example/media/tote-natural.jpg", color="Ecru", color_hex="#c2b280",
        category="bag", description="Sturdy 16 oz canvas & leather handles.",
    )


def test_opengraph_and_product_meta_only() -> None:
    url = "https://indigo-mill.example/jeans/straight-leg?size=32"
    assert parsed("opengraph.html", url) == expected(
        "https://indigo-mill.example/jeans/straight-leg",
        from_("opengraph", "name", "brand", "price", "regular_price", "currency", "availability", "image", "url",
              "color", "color_hex", "description", "category"),
        name="Straight-Leg Jeans", brand="Indigo Mill", price=69.0, regular_price=89.0, currency="USD",
        availability="in_stock", image="https://indigo-mill.example/img/straight-leg-indigo.jpg", color="Indigo",
        color_hex="#4b0082", category="bottom", description="Rigid 13 oz selvedge denim & a straight leg.",
    )


def test_shopify_meta_in_minor_units_and_product_json() -> None:
    url = "https://nordlys.example/products/double-breasted-blazer"
    # meta's variants cost 12900 and 10900 cents; the theme's product JSON adds stock and the old price.
    assert parsed("shopify.html", url) == expected(
        url, from_("opengraph", "name", "image", "url", brand="shopify-meta", price="shopify-meta",
                   currency="shopify-meta", category="shopify-meta", availability="shopify-json",
                   regular_price="shopify-json"),
        name="Double-Breasted Blazer", brand="Nordlys", price=109.0, regular_price=149.0, currency="EUR",
        availability="in_stock", image="http://nordlys.example/cdn/shop/products/db-blazer-camel.jpg?v=1700000000",
        category="outerwear",
    )


def test_woocommerce_variations() -> None:
    url = "https://moorland.example/product/wax-cotton-jacket/"
    assert parsed("woocommerce.html", url) == expected(
        url, from_("woocommerce", "price", "regular_price", "availability", "image", name="opengraph",
                   url="opengraph", currency="opengraph", category="opengraph"),
        name="Wax Cotton Jacket", price=189.0, regular_price=229.0, currency="GBP", availability="in_stock",
        image="https://moorland.example/wp-content/uploads/wax-jacket-olive.jpg", category="outerwear",
    )


def test_conflicting_sources_json_ld_wins_field_by_field() -> None:
    url = "https://scarves.example/p/cashmere-scarf"
    # OpenGraph says 64 USD and out of stock, microdata 60 EUR: JSON-LD's 59.95 EUR in stock wins; fields
    # JSON-LD lacks come from the next source that has them (color from microdata, image from OpenGraph).
    assert parsed("conflicting.html", url) == expected(
        url, from_("json-ld", "name", "brand", "price", "currency", "availability", "category", color="microdata",
                   color_hex="microdata", image="opengraph", url="page"),
        name="Cashmere Scarf", brand="Loch & Loom", price=59.95, currency="EUR", availability="in_stock",
        image="https://scarves.example/og/cashmere-scarf-share.jpg", color="Camel", color_hex="#c19a6b",
        category="accessory",
    )


def test_relative_urls_are_resolved_against_the_page() -> None:
    url = "https://linenhouse.example/collections/shirts/products/relaxed-linen-shirt?variant=1"
    assert parsed("relative_urls.html", url) == expected(
        "https://linenhouse.example/products/relaxed-linen-shirt",
        from_("json-ld", "name", "brand", "price", "currency", "availability", "image", "url", "category"),
        name="Relaxed Linen Shirt", brand="Linen House", price=54.0, currency="CHF", availability="out_of_stock",
        image="https://linenhouse.example/collections/images/linen-shirt-white.jpg", category="top",
    )


def test_a_page_without_product_data_gives_none() -> None:
    # An article with prices in its text, an Article in JSON-LD and og:type "article".
    assert parse_product(page("no_product.html"), "https://journal.example/burgundy-autumn") is None
    assert parse_product("", "https://shop.example/") is None
    assert parse_product("<html><body><h1>Hi</h1>", "https://shop.example/") is None


def test_malformed_html_and_a_broken_json_ld_block() -> None:
    url = "https://callemayor.example/loafers/suede-penny"
    assert parsed("malformed.html", url) == expected(
        url, from_("json-ld", "name", "brand", "price", "currency", "availability", "image", "color", "color_hex",
                   "category", url="page"),
        name="Suede Penny Loafers", brand="Calle Mayor", price=135.0, currency="EUR", availability="out_of_stock",
        image="https://callemayor.example/img/loafers-tan.jpg", color="Tan", color_hex="#d2b48c",
        category="footwear",
    )


def test_a_price_only_in_text_is_never_guessed() -> None:
    url = "https://woolly.example/hats/ribbed-beanie"
    assert parsed("text_price.html", url) == expected(
        url, from_("opengraph", "name", "image", "category", url="page"),
        name="Ribbed Beanie", image="https://woolly.example/img/ribbed-beanie-mustard.jpg", category="headwear",
    )


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_every_truncation_of_every_page_parses_without_raising(name: str) -> None:
    html = page(name)
    for cut in range(0, len(html), max(1, len(html) // 60)):
        product = parse_product(html[:cut], "https://shop.example/p/x")
        assert product is None or product.name


def test_product_record_has_the_cli_fields() -> None:
    product = parse_product(page("jsonld_offer.html"), "https://atelier-north.example/p/x")
    assert product is not None
    assert list(product_record(product)) == ["name", "brand", "price", "currency", "availability", "image", "url",
                                             "color"]


def test_big_page_parses() -> None:
    html = make_page(microdata=True)
    assert len(html) > 900_000
    product = parse_product(html, PAGE_URL)
    assert product is not None
    assert (product.name, product.price, product.currency, product.availability) == (
        "Tailored Wool Coat", 290.0, "EUR", "in_stock")
    assert product.image == "https://bigshop.example/media/coat-camel-1.jpg"


@pytest.mark.parametrize(("value", "currency", "amount", "found"), [
    (129, "", 129.0, ""),
    ("129.00", "", 129.0, ""),
    ("1.234,56", "", 1234.56, ""),
    ("$1,234.56", "", 1234.56, "USD"),
    ("1 234,56 €", "", 1234.56, "EUR"),
    ("£45", "", 45.0, "GBP"),
    ("EUR 12,50", "", 12.5, "EUR"),
    ("CA$ 99.99", "", 99.99, "CAD"),
    ("24.990", "CLP", 24990.0, ""),
    ("1299", "JPY", 1299.0, ""),
    ("0.00", "", None, ""),
    ("0,99", "", 0.99, ""),
    ("free", "", None, ""),
    (None, "", None, ""),
    (True, "", None, ""),
])
def test_price_field(value: Any, currency: str, amount: float | None, found: str) -> None:
    assert price_field(value, currency) == (amount, found)


@pytest.mark.parametrize(("value", "state"), [
    ("https://schema.org/InStock", "in_stock"), ("http://schema.org/InStock", "in_stock"), ("InStock", "in_stock"),
    ("in stock", "in_stock"), ("in_stock", "in_stock"), ("LimitedAvailability", "in_stock"),
    ("schema:PreOrder", "in_stock"), ("OutOfStock", "out_of_stock"), ("out of stock", "out_of_stock"),
    ("https://schema.org/SoldOut", "out_of_stock"), ("Discontinued", "out_of_stock"), (False, "out_of_stock"),
    (True, "in_stock"), ("maybe", None), ("", None), (None, None),
])
def test_availability(value: Any, state: str | None) -> None:
    assert availability(value) == state


@pytest.mark.parametrize(("text", "values"), [
    ('{"a": 1}', [{"a": 1}]),
    ('/*<![CDATA[*/{"a": 1}/*]]>*/', [{"a": 1}]),
    ('<!--\n{"a": 1}\n-->', [{"a": 1}]),
    ('<!-- made by X --> {"a": [1, 2,],}', [{"a": [1, 2]}]),
    ('{"a": "line\nbreak\ttab"}', [{"a": "line\nbreak\ttab"}]),
    ('{"a": 1}\n{"b": 2};', [{"a": 1}, {"b": 2}]),
    ('{"a": 1', []),
    ("", []),
])
def test_loads_lenient(text: str, values: list[Any]) -> None:
    assert loads_lenient(text) == values


@pytest.mark.parametrize(("name", "platform", "currency"), [
    ("shopify.html", "shopify", "EUR"),
    ("woocommerce.html", "woocommerce", "GBP"),
    ("opengraph.html", "html", "USD"),
    ("jsonld_aggregate.html", "html", "GBP"),
    ("jsonld_sizes.html", "html", None),
    ("no_product.html", "html", None),
])
def test_detect_platform_and_currency(name: str, platform: str, currency: str | None) -> None:
    assert detect_platform(page(name)) == platform
    assert detect_currency(page(name)) == currency


def test_detect_platform_and_currency_on_home_pages() -> None:
    shopify_home = '<script>Shopify.currency = {"active":"CAD","rate":"1.36"};</script>'
    analytics_home = "<script>window.ShopifyAnalytics.meta.currency = 'aud';</script>"
    woo_home = '<body class="home page-template woocommerce-no-js"><a href="/shop/">Shop</a></body>'
    assert (detect_platform(shopify_home), detect_currency(shopify_home)) == ("html", "CAD")  # no theme marker
    assert (detect_platform(analytics_home), detect_currency(analytics_home)) == ("shopify", "AUD")
    assert detect_platform('<img src="https://cdn.shopify.com/s/files/1/logo.png">') == "shopify"
    assert detect_platform(woo_home) == "woocommerce"
    assert detect_platform('<link rel="https://api.w.org/" href="https://blog.example/wp-json/">') == "woocommerce"
