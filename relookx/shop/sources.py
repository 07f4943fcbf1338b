"""Shop sources behind `ProductSource`: WooCommerce, ASOS (RapidAPI), shared helpers; detection and setup.

Shopify lives in `relookx.shop.shopify`, which builds on the helpers here.

Every request goes through `PoliteHttp`. Shops are configured as base URLs; `detect_site` reads the home
page once, recognises the platform and currency, and remembers them in `ShopSite` for a week.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from collections.abc import Iterable
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from relookx.config import Settings
from relookx.db import session_scope
from relookx.fashion.colors import color_to_hex
from relookx.garments import normalize_category
from relookx.models import ShopSite, utcnow
from relookx.shop.http import PoliteHttp, ShopError
from relookx.shop.parse import detect_currency, detect_platform
from relookx.shop.types import Product, ProductSource

log = logging.getLogger(__name__)

ASOS_BASE_URL = "https://asos2.p.rapidapi.com"
ASOS_HOST = "asos2.p.rapidapi.com"
SITE_MAX_AGE = timedelta(days=7)
_TAG_RE = re.compile(r"<[^>]+>")
_HEXLIKE_RE = re.compile(r"[0-9a-f]{3}|[0-9a-f]{6}", re.IGNORECASE)
_COLOR_OPTION_NAMES = ("color", "colour", "couleur", "farbe", "kleur", "colore", "cor")
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SITE_NAME_RE = re.compile(
    r"<meta[^>]+property=[\"']og:site_name[\"'][^>]*content=[\"']([^\"']+)[\"']", re.IGNORECASE)

__all__ = [
    "AsosSource", "WooCommerceSource", "detect_site", "sources_for", "normalize_base_url",
]


# --- helpers shared by the sources ------------------------------------------------------------------


def strip_html(text: str | None, limit: int = 600) -> str:
    """Plain text from an HTML fragment (tags dropped, entities decoded, blanks collapsed), cut at `limit`."""
    plain = " ".join(htmllib.unescape(_TAG_RE.sub(" ", text or "")).split())
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"


def host_of(url: str) -> str:
    """The host of a URL without "www." (for display)."""
    host = urlsplit(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host


def normalize_base_url(url: str) -> str:
    """A shop's base URL with a scheme and no trailing slash ("shop.example/" -> "https://shop.example")."""
    url = url.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "https://" + url.lstrip("/")
    return url.rstrip("/")


def known_color(text: str | None) -> str:
    """`text` when it names a known color ("Navy", "color:navy" -> "navy"), else ""."""
    value = re.sub(r"^(?:colou?r|couleur|farbe)\s*[:_-]\s*", "", (text or "").strip(), flags=re.IGNORECASE)
    if not value or len(value) > 40 or (_HEXLIKE_RE.fullmatch(value) and not value.startswith("#")):
        return ""  # "beaded", "facade" or "add" are not hex colors
    return value if color_to_hex(value) else ""


def find_color(candidates: Iterable[str | None]) -> str:
    """The first known color among candidates, each tried whole, then by " / " parts."""
    for text in candidates:
        if not text:
            continue
        found = known_color(text)
        if found:
            return found
        for part in re.split(r"\s*[/|,]\s*|\s+[-–]\s+", text):
            found = known_color(part)
            if found:
                return found
    return ""


def color_from_words(title: str) -> str:
    """A known color named by one word of a title ("Navy Wool Blazer" -> "Navy"), else ""."""
    for word in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?", title):
        found = known_color(word)
        if found:
            return found
    return ""


def category_of(*texts: str | None) -> str:
    """The first garment category recognised in the texts (product type first), else "other"."""
    for text in texts:
        if text:
            category = normalize_category(text)
            if category != "other":
                return category
    return "other"


def finish(product: Product) -> Product:
    """Fill `color_hex` from `color` and drop a regular price that is not higher than the price."""
    if product.color and not product.color_hex:
        product.color_hex = color_to_hex(product.color) or ""
    if product.regular_price is not None and (product.price is None or product.regular_price <= product.price):
        product.regular_price = None
    return product


def drop_tracking(url: str) -> str:
    """The URL without search-tracking parameters (`_pos`, `_sid`, `_psq`, `_ss`...)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("_")]
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- WooCommerce -------------------------------------------------------------------------------------


class WooCommerceSource:
    """A WooCommerce shop through its public Store API (`/wp-json/wc/store/v1/products`)."""

    def __init__(self, base_url: str, http: PoliteHttp, *, shop_name: str = "") -> None:
        self.base_url = normalize_base_url(base_url)
        self.http = http
        self.shop = shop_name or host_of(self.base_url)
        self.name = f"woocommerce:{host_of(self.base_url)}"

    def search(self, query: str, limit: int) -> list[Product]:
        """Up to `limit` products of the shop matching the query."""
        params = {"search": query, "per_page": max(1, min(limit, 100))}
        try:
            items = self.http.get_json(f"{self.base_url}/wp-json/wc/store/v1/products", params=params)
        except ShopError as exc:
            if exc.status != 404:
                raise
            # Shops without pretty permalinks only answer through ?rest_route=.
            items = self.http.get_json(f"{self.base_url}/", params={"rest_route": "/wc/store/v1/products", **params})
        if not isinstance(items, list):
            raise ShopError(f"{host_of(self.base_url)}: the Store API answer is not a product list", kind="invalid")
        return [p for p in (self._product(item) for item in items[:limit] if isinstance(item, dict)) if p]

    def _product(self, item: dict[str, Any]) -> Product | None:
        url = item.get("permalink") or ""
        name = htmllib.unescape(str(item.get("name") or "")).strip()
        if not url or not name:
            return None
        prices = item.get("prices") or {}
        minor = prices.get("currency_minor_unit", 2)
        images = item.get("images") or []
        attributes = item.get("attributes") or []
        colors = [
            term.get("name", "") for attr in attributes if isinstance(attr, dict)
            and str(attr.get("name", "")).lower() in _COLOR_OPTION_NAMES for term in attr.get("terms") or []
        ]
        brands = item.get("brands") or []
        categories = [c.get("name", "") for c in item.get("categories") or [] if isinstance(c, dict)]
        in_stock = item.get("is_in_stock")
        product = Product(
            source="woocommerce", url=urljoin(self.base_url + "/", url), name=name,
            brand=str(brands[0].get("name", "")) if brands and isinstance(brands[0], dict) else "",
            price=_minor(prices.get("price"), minor), regular_price=_minor(prices.get("regular_price"), minor),
            currency=str(prices.get("currency_code") or "").upper(),
            availability="unknown" if in_stock is None else ("in_stock" if in_stock else "out_of_stock"),
            image=urljoin(self.base_url + "/", images[0].get("src", "")) if images and isinstance(images[0], dict)
            else "",
            color=find_color(colors) or color_from_words(name),
            category=category_of(*categories, name),
            description=strip_html(item.get("short_description") or item.get("description")),
            shop=self.shop,
            provenance={"price": "woocommerce store api (minor units)", "url": "permalink"},
        )
        return finish(product)


def _minor(value: Any, minor_unit: Any) -> float | None:
    """A Store API amount ("1105", minor unit 2) as a decimal number (11.05); None when absent."""
    try:
        return int(str(value)) / float(10 ** int(minor_unit))
    except (TypeError, ValueError):
        return None


# --- ASOS (RapidAPI asos2) --------------------------------------------------------------------------


class AsosSource:
    """ASOS products through RapidAPI's `asos2` API (needs RAPIDAPI_KEY)."""

    name = "asos"

    def __init__(
        self, api_key: str, http: PoliteHttp, *, base_url: str = ASOS_BASE_URL, store: str = "US",
        country: str = "US", currency: str = "USD", size_schema: str = "US", lang: str = "en-US",
    ) -> None:
        self.api_key = api_key
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.params = {"store": store, "country": country, "currency": currency, "sizeSchema": size_schema,
                       "lang": lang}

    def search(self, query: str, limit: int) -> list[Product]:
        """Up to `limit` ASOS products matching the query."""
        params = {**self.params, "offset": 0, "limit": max(1, min(limit, 48)), "q": query}
        headers = {"X-RapidAPI-Key": self.api_key, "X-RapidAPI-Host": ASOS_HOST}
        try:  # a keyed API: its terms of use, not robots.txt, govern access
            data = self.http.get_json(f"{self.base_url}/products/v2/list", params=params, headers=headers,
                                      robots=False)
        except ShopError as exc:
            if exc.status in (401, 403):
                raise ShopError(
                    f"RapidAPI refused the asos2 request (HTTP {exc.status}): check RAPIDAPI_KEY and that the "
                    "key is subscribed to the asos2 API", kind="auth", url=exc.url, status=exc.status) from exc
            raise
        items = data.get("products") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ShopError("asos2 answered without a product list", kind="invalid")
        return [p for p in (self._product(i) for i in items[:limit] if isinstance(i, dict)) if p]

    def _product(self, item: dict[str, Any]) -> Product | None:
        url, name = str(item.get("url") or ""), str(item.get("name") or "").strip()
        if not url or not name:
            return None
        if not re.match(r"^https?://", url):
            url = "https://www.asos.com/" + url.lstrip("/")
        image = str(item.get("imageUrl") or "")
        if image.startswith("//"):
            image = "https:" + image
        elif image and not re.match(r"^https?://", image):
            image = "https://" + image
        price = item.get("price") or {}
        colour = str(item.get("colour") or "")
        return finish(Product(
            source="asos", url=url, name=name, brand=str(item.get("brandName") or ""),
            price=_value(price.get("current")), regular_price=_value(price.get("previous")),
            currency=str(price.get("currency") or self.params["currency"]).upper(),
            image=image, color=known_color(colour) or colour or color_from_words(name),
            category=category_of(name), shop="ASOS", provenance={"price": "asos2 api"},
        ))


def _value(money: Any) -> float | None:
    if isinstance(money, dict) and isinstance(money.get("value"), int | float) and money["value"] > 0:
        return float(money["value"])
    return None


# --- detection and setup -----------------------------------------------------------------------------


def _site_name(page: str, base_url: str) -> str:
    m = _SITE_NAME_RE.search(page) or _TITLE_RE.search(page)
    name = " ".join(htmllib.unescape(m.group(1)).split()) if m else ""
    return name[:80] or host_of(base_url)


def _load_site(engine: Engine | None, base_url: str) -> ShopSite | None:
    if engine is None:
        return None
    try:
        with session_scope(engine) as session:
            return session.exec(select(ShopSite).where(ShopSite.base_url == base_url)).first()
    except SQLAlchemyError as exc:
        log.warning("shop sites unreadable: %s", exc)
        return None


def _save_site(engine: Engine | None, site: ShopSite) -> ShopSite:
    if engine is None:
        return site
    try:
        with session_scope(engine) as session:
            row = session.exec(select(ShopSite).where(ShopSite.base_url == site.base_url)).first() or ShopSite(
                base_url=site.base_url)
            row.platform, row.currency, row.name = site.platform, site.currency, site.name
            row.note, row.detected_at = site.note, site.detected_at
            session.add(row)
            session.flush()
            session.refresh(row)
            return row
    except SQLAlchemyError as exc:
        log.warning("shop site %s not remembered: %s", site.base_url, exc)
        return site


def detect_site(base_url: str, http: PoliteHttp, engine: Engine | None) -> ShopSite:
    """The shop's platform, currency and name from its home page, remembered in `ShopSite` for 7 days."""
    base = normalize_base_url(base_url)
    known = _load_site(engine, base)
    if known is not None:
        detected = known.detected_at if known.detected_at.tzinfo else known.detected_at.replace(tzinfo=UTC)
        if utcnow() - detected < SITE_MAX_AGE:
            return known
    try:
        page = http.get_text(base + "/", use_cache=False)
    except ShopError as exc:
        log.warning("could not detect the platform of %s: %s", base, exc.reason)
        if known is not None:
            return known  # the older detection is better than none
        return ShopSite(base_url=base, platform="unknown", name=host_of(base), note=exc.reason)
    platform = detect_platform(page)
    note = "" if platform in ("shopify", "woocommerce") else (
        "not a Shopify or WooCommerce shop: its search cannot be used")
    site = ShopSite(base_url=base, platform=platform, currency=(detect_currency(page) or "").upper(),
                    name=_site_name(page, base), note=note, detected_at=utcnow())
    log.info("shop %s: platform %s, currency %s", base, platform, site.currency or "unknown")
    return _save_site(engine, site)


def sources_for(
    settings: Settings, http: PoliteHttp, engine: Engine | None, *, asos_base_url: str = ASOS_BASE_URL,
) -> tuple[list[ProductSource], list[str]]:
    """The sources of the configured shops (plus ASOS with RAPIDAPI_KEY) and notes on the shops skipped."""
    from relookx.shop.shopify import ShopifySource  # shopify.py builds on this module's helpers

    sources: list[ProductSource] = []
    notes: list[str] = []
    for url in settings.shop_urls:
        site = detect_site(url, http, engine)
        if site.platform == "shopify":
            sources.append(ShopifySource(site.base_url, http, currency=site.currency or None, shop_name=site.name))
        elif site.platform == "woocommerce":
            sources.append(WooCommerceSource(site.base_url, http, shop_name=site.name))
        else:
            notes.append(f"{site.base_url} skipped: {site.note or 'platform not recognised'}")
    if settings.rapidapi_key:
        sources.append(AsosSource(settings.rapidapi_key, http, base_url=asos_base_url))
    return sources, notes
