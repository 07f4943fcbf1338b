"""Any product page to one Product: JSON-LD, microdata, OpenGraph and platform JSON, merged field by field.

Pure functions of `(html, url)`: fetching lives elsewhere. The page is never parsed into a full tree;
script blocks and meta tags are found with regular expressions and only the microdata item is read
tag by tag with a regex tokenizer, so a 1 MB page takes milliseconds. A price is only ever read from a price
field of structured data, never guessed from text on the page. JSON-LD and microdata live in
`relookx.shop.structured`, the shared normalisers in `relookx.shop.values`; `availability`, `price_field` and
`loads_lenient` are re-exported here.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from relookx.fashion.colors import color_to_hex
from relookx.garments import normalize_category
from relookx.shop.structured import _ATTR_RE, _scripts, json_ld, loads_lenient, microdata
from relookx.shop.types import Product
from relookx.shop.values import _clean, _currency, _description, _summarise_offers, _url, availability, price_field

log = logging.getLogger(__name__)

# Merge order: a field comes from the first source that has it.
SOURCES = ("json-ld", "microdata", "opengraph", "shopify-meta", "shopify-json", "woocommerce")
RECORD_FIELDS = ("name", "brand", "price", "currency", "availability", "image", "url", "color")
_FIELDS = ("name", "brand", "price", "availability", "image", "url", "color", "description")

_META_RE = re.compile(r"<meta\b[^>]*>", re.I)


# --- OpenGraph / product meta ------------------------------------------------------------------------


def _meta(page: str) -> dict[str, str]:
    """The first `content` of each `property=`/`name=` meta tag, keys lower case."""
    found: dict[str, str] = {}
    for tag in _META_RE.findall(page):
        attrs = {m[0].lower(): m[1] or m[2] or m[3] for m in _ATTR_RE.findall(tag)}
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        if key and "content" in attrs:
            found.setdefault(key, html_lib.unescape(attrs["content"]).strip())
    return found


def _opengraph(meta: dict[str, str], base: str) -> tuple[dict[str, Any], bool]:
    """Fields from og:/product: meta, and whether the page says it is a product."""
    def get(*keys: str) -> str:
        return next((meta[k] for k in keys if meta.get(k)), "")

    currency = _currency(get("product:price:currency", "og:price:currency"))
    price, symbol = price_field(get("product:price:amount", "og:price:amount"), currency)
    sale, _ = price_field(get("product:sale_price:amount"), currency)
    regular, _ = price_field(get("product:original_price:amount"), currency)
    if sale is not None and (price is None or sale < price):
        price, regular = sale, regular or price
    fields = {
        "name": _clean(get("og:title", "product:title")), "brand": _clean(get("product:brand", "og:brand")),
        "image": _url(get("og:image:secure_url", "og:image", "og:image:url"), base),
        "url": _url(get("og:url"), base), "color": _clean(get("product:color")),
        "description": _description(get("og:description")), "category": _clean(get("product:category")),
        "price": price, "regular_price": regular, "currency": currency, "currency_symbol": "" if currency else symbol,
        "availability": availability(get("product:availability", "og:availability")),
    }
    is_product = "product" in meta.get("og:type", "").lower() or any(
        k.startswith(("product:", "og:price:")) for k in meta)
    return {k: v for k, v in fields.items() if v not in (None, "")}, is_product


# --- Platform JSON ----------------------------------------------------------------------------------

_SHOPIFY_META_RE = re.compile(r"(?:var\s+meta|ShopifyAnalytics\.meta)\s*=\s*(?=\{)")
_SHOPIFY_CURRENCY_RE = re.compile(
    r"""Shopify\.currency\s*=\s*\{[^}]*?["']?active["']?\s*:\s*["']([A-Za-z]{3})"""
    r"""|ShopifyAnalytics\.meta\.currency\s*=\s*["']([A-Za-z]{3})"""
    r"""|ShopifyAnalytics\.meta\s*=\s*\{[^;]*?["']currency["']\s*:\s*["']([A-Za-z]{3})""")
_WOO_CLASS_RE = re.compile(r"""class\s*=\s*["'][^"']*\bwoocommerce""", re.I)
_WOO_VARIATIONS_RE = re.compile(r"""data-product_variations\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def _minor(value: Any) -> float | None:
    """A Shopify amount: integers are minor units (10900 -> 109.0, for every currency); strings decimal."""
    if isinstance(value, int) and not isinstance(value, bool):
        return round(value / 100, 2) if value > 0 else None
    return price_field(value)[0]


def _variant_offers(variants: list[Any], price_key: str, regular_key: str, stock_key: str,
                    amount: Callable[[Any], float | None] = _minor) -> list[dict[str, Any]]:
    return [{"price": amount(v.get(price_key)), "regular_price": amount(v.get(regular_key)), "currency": "",
             "symbol": "", "availability": availability(v[stock_key]) if stock_key in v else None}
            for v in variants if isinstance(v, dict)]


def _shopify_meta(page: str, base: str) -> dict[str, Any]:
    """Shopify's `var meta = {"product": {...}}` (prices in minor units)."""
    if "var meta" not in page and "ShopifyAnalytics.meta" not in page:
        return {}
    decoder = json.JSONDecoder(strict=False)
    for match in _SHOPIFY_META_RE.finditer(page):
        try:
            meta, _ = decoder.raw_decode(page, match.end())
        except json.JSONDecodeError:
            continue
        product = meta.get("product") if isinstance(meta, dict) else None
        if not isinstance(product, dict):
            continue
        variants = [v for v in product.get("variants") or [] if isinstance(v, dict)]
        first = variants[0] if variants else {}
        name = _clean(first.get("name"))
        suffix = _clean(first.get("public_title"))
        if suffix and name.endswith(f" - {suffix}"):
            name = name[: -len(suffix) - 3]
        fields = {"name": name, "brand": _clean(product.get("vendor")), "category": _clean(product.get("type")),
                  **_summarise_offers(_variant_offers(variants, "price", "compare_at_price", "available"))}
        fields["currency"] = fields["currency"] or _shopify_currency(page)
        return {k: v for k, v in fields.items() if v not in (None, "")}
    return {}


def _shopify_json(page: str, base: str) -> dict[str, Any]:
    """A theme's product JSON (`<script type="application/json" data-product-json>` / `id="ProductJson-..."`)."""
    for attrs, body in _scripts(page, "json"):
        if "productjson" not in attrs.lower().replace("-", "") or "ld+json" in attrs.lower():
            continue
        product = next((v for v in loads_lenient(body) if isinstance(v, dict)), None)
        product = product.get("product", product) if product else None
        if not isinstance(product, dict) or not product.get("title"):
            continue
        variants = [v for v in product.get("variants") or [] if isinstance(v, dict)]
        offers = _variant_offers(variants, "price", "compare_at_price", "available") or _variant_offers(
            [product], "price", "compare_at_price", "available")
        fields = {"name": _clean(product.get("title")), "brand": _clean(product.get("vendor")),
                  "category": _clean(product.get("type")), "description": _description(product.get("description")),
                  "image": _url(product.get("featured_image") or product.get("images"), base),
                  "url": _url(product.get("url"), base), **_summarise_offers(offers)}
        fields["currency"] = fields["currency"] or _shopify_currency(page)
        return {k: v for k, v in fields.items() if v not in (None, "")}
    return {}


def _woocommerce(page: str, base: str) -> dict[str, Any]:
    """WooCommerce's variation form data (`data-product_variations`, prices in major units)."""
    match = _WOO_VARIATIONS_RE.search(page) if "data-product_variations" in page else None
    if not match:
        return {}
    variations = next(iter(loads_lenient(html_lib.unescape(match.group(1) or match.group(2) or ""))), None)
    if not isinstance(variations, list):
        return {}
    offers = _variant_offers(variations, "display_price", "display_regular_price", "is_in_stock",
                             amount=lambda v: price_field(v)[0])
    fields = {**_summarise_offers(offers), "image": _url([v.get("image") for v in variations
                                                          if isinstance(v, dict)], base)}
    return {k: v for k, v in fields.items() if v not in (None, "")}


def _shopify_currency(page: str) -> str:
    match = _SHOPIFY_CURRENCY_RE.search(page)
    return next((g.upper() for g in match.groups() if g), "") if match else ""


# --- Public API -------------------------------------------------------------------------------------


def detect_platform(page: str) -> str:
    """"shopify", "woocommerce" or "html", from the markers a home or product page carries."""
    if any(marker in page for marker in ("cdn.shopify.com", "Shopify.theme", "ShopifyAnalytics", "Shopify.shop")):
        return "shopify"
    if "/wp-json/" in page or ("woocommerce" in page and _WOO_CLASS_RE.search(page)):
        return "woocommerce"
    return "html"


def detect_currency(page: str) -> str | None:
    """The shop's ISO 4217 currency: Shopify.currency, ShopifyAnalytics meta, product meta, JSON-LD."""
    found = _shopify_currency(page)
    if found:
        return found
    meta = _meta(page)
    found = _currency(meta.get("og:price:currency") or meta.get("product:price:currency"))
    if found:
        return found
    for _, body in _scripts(page, "ld+json"):
        match = re.search(r'"priceCurrency"\s*:\s*"([A-Za-z]{3})"', body)
        if match:
            return match.group(1).upper()
    return None


def parse_product(page: str, url: str) -> Product | None:
    """The product on a page, merged field by field from every structured source; None when there is none."""
    meta = _meta(page)
    opengraph, og_is_product = _opengraph(meta, url)
    extractors = {"json-ld": json_ld, "microdata": microdata, "shopify-meta": _shopify_meta,
                  "shopify-json": _shopify_json, "woocommerce": _woocommerce}
    found: dict[str, dict[str, Any]] = {}
    for source in SOURCES:
        try:
            found[source] = opengraph if source == "opengraph" else extractors[source](page, url)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
            # One malformed source must not hide the others.
            log.debug("%s extractor failed on %s: %s", source, url, exc)
            found[source] = {}
    if not og_is_product and not any(found[s] for s in SOURCES if s != "opengraph"):
        return None
    return _merge(found, url)


def _merge(found: dict[str, dict[str, Any]], url: str) -> Product | None:
    values: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    for field in _FIELDS:
        source = next((s for s in SOURCES if found[s].get(field) not in (None, "")), None)
        if source:
            values[field], provenance[field] = found[source][field], source
    if not values.get("name"):
        return None
    # An explicit currency anywhere beats a symbol read from a price text.
    for key in ("currency", "currency_symbol"):
        source = next((s for s in SOURCES if found[s].get(key)), None)
        if source and "currency" not in values:
            values["currency"], provenance["currency"] = found[source][key], source
    # The old price belongs with the price: from the same source, or one that agrees on the price.
    price = values.get("price")
    for source in sorted(SOURCES, key=lambda s: s != provenance.get("price")) if price is not None else ():
        regular = found[source].get("regular_price")
        if regular is not None and regular > price and found[source].get("price") == price:
            values["regular_price"], provenance["regular_price"] = regular, source
            break
    if not values.get("url"):
        values["url"], provenance["url"] = url, "page"
    if values.get("color") and color_to_hex(values["color"]):
        values["color_hex"], provenance["color_hex"] = color_to_hex(values["color"]), provenance["color"]
    candidates = [(s, found[s].get(k)) for k in ("category", "name") for s in SOURCES if found[s].get(k)]
    for source, text in candidates:
        category = normalize_category(re.split(r"\s*[>/|]\s*", str(text))[-1]) if text else "other"
        if category == "other" and text:
            category = normalize_category(str(text))
        if category != "other":
            values["category"], provenance["category"] = category, source
            break
    values.setdefault("availability", "unknown")
    return Product(source="page", shop=urlsplit(url).hostname or "", provenance=provenance, **values)


def product_record(product: Product) -> dict[str, Any]:
    """The fields `shop parse` prints, in order."""
    return {key: getattr(product, key) for key in RECORD_FIELDS}
