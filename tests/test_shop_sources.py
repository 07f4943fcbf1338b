"""Shopify, WooCommerce and ASOS sources and shop detection, against the local shop site."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from relookx.config import Settings
from relookx.db import session_scope
from relookx.models import ShopSite, utcnow
from relookx.shop.http import PoliteHttp, ShopError
from relookx.shop.shopify import ShopifySource
from relookx.shop.sources import (
    AsosSource,
    WooCommerceSource,
    detect_site,
    find_color,
    known_color,
    normalize_base_url,
    sources_for,
    strip_html,
)
from tests.shop_site import LocalShop, Reply


def make_http(engine: Engine | None = None) -> PoliteHttp:
    """A fast layer for tests."""
    return PoliteHttp(engine=engine, timeout_s=2.0, spacing_s=0.0, cache_ttl_s=60.0)


# --- Shopify -----------------------------------------------------------------------------------------


def test_shopify_search_resolves_urls_and_finds_the_currency(shopify_site: LocalShop) -> None:
    source = ShopifySource(shopify_site.base_url, make_http())
    products = source.search("wool", 5)
    assert source.name == f"shopify:{shopify_site.host}"
    assert [p.name for p in products] == ["Slim Wool Blazer", "Long Wool Coat"]
    blazer, coat = products
    assert blazer.url == f"{shopify_site.base_url}/products/navy-wool-blazer"  # relative, tracking dropped
    assert blazer.image == f"{shopify_site.base_url}/cdn/shop/files/navy-wool-blazer.jpg"  # scheme-relative
    assert coat.image == f"{shopify_site.base_url}/cdn/shop/files/camel-coat.jpg"  # path-relative
    assert blazer.currency == "EUR"  # from Shopify.currency on the home page
    assert (blazer.price, blazer.regular_price) == (129.0, 159.0)
    assert (blazer.source, blazer.brand, blazer.category) == ("shopify", "Atelier Nord", "outerwear")
    assert blazer.color == "Navy" and blazer.color_hex.startswith("#")
    assert blazer.availability == "in_stock"
    assert blazer.description == "A slim wool blazer in Navy."
    assert blazer.shop == shopify_site.host
    q = shopify_site.requests_to("/search/suggest.json")[0].query
    assert q == {"q": "wool", "resources[type]": "product", "resources[limit]": "5"}
    assert shopify_site.requests_to("/products/navy-wool-blazer.js") == []  # decimal prices need no check


def test_shopify_cents_are_checked_against_the_js_document(shop_site: Callable[..., LocalShop]) -> None:
    site = shop_site("shopify", price_style="cents", currency="USD")
    products = ShopifySource(site.base_url, make_http(), currency="USD").search("knit wool shirt", 10)
    assert {p.name: p.price for p in products} == {
        "Slim Wool Blazer": 129.0, "Chunky Knit Sweater": 79.5, "Oxford Shirt": 49.0, "Long Wool Coat": 249.0}
    assert products[0].currency == "USD" and products[0].regular_price == 159.0
    js_requests = [r for r in site.requests if r.bare_path.endswith(".js")]
    assert len(js_requests) == 1  # the unit is checked once per source
    assert site.requests_to("/") == []  # currency given: the home page is not read
    shirt = next(p for p in products if p.name == "Oxford Shirt")
    assert shirt.availability == "out_of_stock"
    assert next(p for p in products if p.name == "Chunky Knit Sweater").color == "Burgundy"


def test_shopify_unverifiable_integer_price_is_not_guessed(shop_site: Callable[..., LocalShop]) -> None:
    site = shop_site("shopify", price_style="cents")
    site.route("/products/camel-coat.js", Reply(status=404, body={"status": 404}))
    [coat] = ShopifySource(site.base_url, make_http(), currency="EUR").search("coat", 1)
    assert coat.price is None and coat.regular_price is None


def test_shopify_details_for_top_results(shopify_site: LocalShop) -> None:
    source = ShopifySource(shopify_site.base_url, make_http(), currency="EUR", details=1)
    blazer, coat = source.search("wool", 2)
    assert blazer.provenance["price"].startswith("shopify product .js")
    assert blazer.description == "Slim Wool Blazer by Atelier Nord"
    assert coat.provenance["price"] == "shopify predictive search"
    assert source.product("camel-coat").price == 249.0


def test_shopify_falls_back_to_products_json_when_robots_block_search(shopify_site: LocalShop) -> None:
    shopify_site.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /search\n", content_type="text/plain"))
    products = ShopifySource(shopify_site.base_url, make_http(), currency="EUR").search("camel wool coat", 3)
    assert [p.name for p in products][:2] == ["Long Wool Coat", "Slim Wool Blazer"]
    assert (products[0].price, products[0].regular_price, products[0].color) == (249.0, 299.0, "Camel")
    assert "robots.txt disallows predictive search" in products[0].provenance["found"]
    assert shopify_site.requests_to("/search/suggest.json") == []


def test_shopify_search_blocked_everywhere(shopify_site: LocalShop) -> None:
    shopify_site.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /search\nDisallow: /products.json\n",
                                            content_type="text/plain"))
    with pytest.raises(ShopError) as err:
        ShopifySource(shopify_site.base_url, make_http(), currency="EUR").search("wool", 3)
    assert err.value.kind == "robots" and "/search/suggest.json" in err.value.reason
    assert "/products.json is not available" in err.value.reason
    assert [r.bare_path for r in shopify_site.requests] == ["/robots.txt"]


# --- WooCommerce -------------------------------------------------------------------------------------


def test_woocommerce_minor_units_and_regular_price(woocommerce_site: LocalShop) -> None:
    source = WooCommerceSource(woocommerce_site.base_url, make_http(), shop_name="Test Boutique")
    products = source.search("wool", 10)
    assert source.name == f"woocommerce:{woocommerce_site.host}"
    blazer = products[0]
    assert blazer.name == "Slim Wool Blazer – Navy"  # entity decoded
    assert (blazer.price, blazer.regular_price, blazer.currency) == (129.0, 159.0, "EUR")
    assert blazer.url == f"{woocommerce_site.base_url}/product/navy-wool-blazer/"
    assert blazer.image == f"{woocommerce_site.base_url}/wp-content/uploads/navy-wool-blazer.jpg"
    assert (blazer.color, blazer.category, blazer.availability) == ("Navy", "outerwear", "in_stock")
    assert blazer.description == "A slim wool blazer & more."
    assert blazer.shop == "Test Boutique" and blazer.source == "woocommerce"
    sweater = WooCommerceSource(woocommerce_site.base_url, make_http()).search("knit", 1)[0]
    assert sweater.price == 79.5 and sweater.regular_price is None  # regular == price: dropped
    assert woocommerce_site.requests_to("/wp-json/wc/store/v1/products")[0].query["per_page"] == "10"


def test_woocommerce_without_pretty_permalinks(woocommerce_site: LocalShop) -> None:
    woocommerce_site.route("/wp-json/wc/store/v1/products", Reply(status=404, body={"code": "rest_no_route"}))
    woocommerce_site.route("/", lambda req: woocommerce_site._woo({"search": req.query.get("search", "")}))
    products = WooCommerceSource(woocommerce_site.base_url, make_http()).search("coat", 3)
    assert [p.price for p in products] == [249.0]
    assert woocommerce_site.requests_to("/")[0].query["rest_route"] == "/wc/store/v1/products"


# --- ASOS --------------------------------------------------------------------------------------------


def test_asos_fixes_scheme_less_urls(shop_site: Callable[..., LocalShop]) -> None:
    site = shop_site("html", api_key="k-123")
    products = AsosSource("k-123", make_http(), base_url=site.base_url).search("wool", 2)
    blazer = products[0]
    assert blazer.url.startswith("https://www.asos.com/atelier-nord/navy-wool-blazer/prd/")
    assert blazer.image.startswith("https://images.asos-media.com/products/")
    assert (blazer.price, blazer.regular_price, blazer.currency) == (129.0, 159.0, "USD")
    assert (blazer.source, blazer.shop, blazer.brand) == ("asos", "ASOS", "Atelier Nord")
    assert blazer.color.lower() == "navy"  # from the name when `colour` is empty
    request = site.requests_to("/products/v2/list")[0]
    assert request.headers["x-rapidapi-key"] == "k-123"
    assert request.headers["x-rapidapi-host"] == "asos2.p.rapidapi.com"
    assert request.query["q"] == "wool" and request.query["limit"] == "2"
    assert site.requests_to("/robots.txt") == []  # a keyed API


def test_asos_bad_key_names_the_setting(shop_site: Callable[..., LocalShop]) -> None:
    site = shop_site("html", api_key="right")
    with pytest.raises(ShopError) as err:
        AsosSource("wrong", make_http(), base_url=site.base_url).search("coat", 3)
    assert "RAPIDAPI_KEY" in err.value.reason and err.value.kind == "auth"


# --- detection and setup -----------------------------------------------------------------------------


def test_detect_site_is_remembered(shopify_site: LocalShop, memory_engine: Engine) -> None:
    site = detect_site(shopify_site.base_url + "/", make_http(memory_engine), memory_engine)
    assert (site.platform, site.currency, site.name) == ("shopify", "EUR", "Test Boutique")
    again = detect_site(shopify_site.base_url, make_http(memory_engine), memory_engine)
    assert (again.platform, again.currency) == ("shopify", "EUR")
    assert len(shopify_site.requests_to("/")) == 1
    with session_scope(memory_engine) as session:
        row = session.exec(select(ShopSite)).one()
        assert row.base_url == shopify_site.base_url
        row.detected_at = utcnow() - timedelta(days=8)
        session.add(row)
    detect_site(shopify_site.base_url, make_http(memory_engine), memory_engine)
    assert len(shopify_site.requests_to("/")) == 2  # re-detected after a week


def test_detect_woocommerce_and_plain_sites(shop_site: Callable[..., LocalShop]) -> None:
    woo = detect_site(shop_site("woocommerce").base_url, make_http(), None)
    assert (woo.platform, woo.name) == ("woocommerce", "Test Boutique")
    plain = detect_site(shop_site("html").base_url, make_http(), None)
    assert plain.platform == "html" and "not a Shopify or WooCommerce" in plain.note


def test_sources_for_builds_each_shop_and_notes_the_skipped(
    shop_site: Callable[..., LocalShop], memory_engine: Engine,
) -> None:
    shopify, woo, plain = shop_site("shopify"), shop_site("woocommerce"), shop_site("html")
    settings = Settings(shops=f"{shopify.base_url}, {woo.base_url}\n{plain.base_url}/", rapidapi_key="test-key")
    sources, notes = sources_for(settings, make_http(memory_engine), memory_engine, asos_base_url=plain.base_url)
    assert [s.name for s in sources] == [f"shopify:{shopify.host}", f"woocommerce:{woo.host}", "asos"]
    assert len(notes) == 1 and plain.base_url in notes[0]
    results = {s.name: s.search("wool", 3) for s in sources}
    assert results[f"shopify:{shopify.host}"][0].shop == "Test Boutique"
    assert results[f"shopify:{shopify.host}"][0].currency == "EUR"
    assert len(shopify.requests_to("/")) == 1  # the currency came from the remembered site
    assert all(results.values())


def test_unreachable_shop_is_a_note() -> None:
    http = PoliteHttp(engine=None, timeout_s=0.5, spacing_s=0.0, cache_ttl_s=0.0)
    sources, notes = sources_for(Settings(shops="http://127.0.0.1:9"), http, None)
    assert sources == [] and "127.0.0.1:9" in notes[0]


def test_small_helpers() -> None:
    assert normalize_base_url("shop.example/") == "https://shop.example"
    assert strip_html("<p>Soft &amp; <b>warm</b></p>") == "Soft & warm"
    assert known_color("color:navy") == "navy" and known_color("beaded") == "" and known_color("M") == ""
    assert find_color(["XL", "Forest Green / M"]) == "Forest Green"
