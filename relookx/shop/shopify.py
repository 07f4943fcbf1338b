"""Shopify shops: documented predictive search, `/products/<handle>.js` details, prices checked, currency found."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from relookx.garments import parse_price
from relookx.shop.http import PoliteHttp, ShopError
from relookx.shop.parse import detect_currency
from relookx.shop.sources import (
    _COLOR_OPTION_NAMES,
    category_of,
    color_from_words,
    drop_tracking,
    find_color,
    finish,
    host_of,
    normalize_base_url,
    strip_html,
)
from relookx.shop.types import Product

log = logging.getLogger(__name__)

MAX_SUGGEST = 10  # Shopify's predictive search answers at most 10 products
_DECIMAL_RE = re.compile(r"^\d+[.,]\d{1,2}$")


def _amount(value: Any) -> tuple[float | None, bool]:
    """A suggest.json price and whether its unit is doubtful (an integer may be cents or whole units)."""
    if value is None or isinstance(value, bool) or value == "":
        return None, False
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return float(value), True
    if isinstance(value, float):
        return value, False
    text = str(value).strip()
    if text.isdigit():
        return float(text), True
    if _DECIMAL_RE.match(text):
        return float(text.replace(",", ".")), False
    return parse_price(text), False


class ShopifySource:
    """A Shopify shop through its documented predictive search and product `.js` documents."""

    def __init__(
        self, base_url: str, http: PoliteHttp, *, currency: str | None = None, shop_name: str = "",
        details: int = 0,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.http = http
        self.currency = (currency or "").upper() or None
        self.shop = shop_name or host_of(self.base_url)
        self.name = f"shopify:{host_of(self.base_url)}"
        self.details = details  # how many top results are completed from `/products/<handle>.js`
        self._currency_checked = self.currency is not None
        self._unit: float | None = None  # multiplier of integer suggest prices: 0.01 (cents) or 1.0

    def search(self, query: str, limit: int) -> list[Product]:
        """Up to `limit` (at most 10) products of the shop matching the query."""
        params = {"q": query, "resources[type]": "product", "resources[limit]": max(1, min(limit, MAX_SUGGEST))}
        via = "shopify predictive search"
        try:
            data = self.http.get_json(f"{self.base_url}/search/suggest.json", params=params)
            items = data["resources"]["results"]["products"]
        except (KeyError, TypeError) as exc:
            raise ShopError(f"{host_of(self.base_url)}: predictive search answered without products",
                            kind="invalid") from exc
        except ShopError as exc:
            if exc.kind != "robots":
                raise
            items = self._catalog_matches(query, exc)  # some shops keep only `Disallow: /search`
            via = "shopify products.json (robots.txt disallows predictive search)"
        items = [i for i in items if isinstance(i, dict) and i.get("title") and (i.get("url") or i.get("handle"))]
        currency = self._shop_currency()
        products: list[Product] = []
        for rank, item in enumerate(items[:limit]):
            details = self._details(item) if rank < self.details else None
            product = self._product(item, currency, details)
            product.provenance.setdefault("found", via)
            products.append(product)
        return products

    def _catalog_matches(self, query: str, blocked: ShopError) -> list[dict[str, Any]]:
        """Products of `/products.json` (undocumented, best effort) that share words with the query."""
        log.info("%s; falling back to /products.json", blocked.reason)
        try:
            data = self.http.get_json(f"{self.base_url}/products.json", params={"limit": 250})
        except ShopError as exc:
            raise ShopError(f"{blocked.reason}, and /products.json is not available ({exc.reason})",
                            kind=blocked.kind, url=blocked.url) from exc
        words = set(re.findall(r"[a-z0-9]+", query.lower()))
        scored: list[tuple[int, dict[str, Any]]] = []
        for raw in (data.get("products") if isinstance(data, dict) else None) or []:
            if not isinstance(raw, dict):
                continue
            tags = raw.get("tags") or []
            tags = [t.strip() for t in tags.split(",")] if isinstance(tags, str) else [str(t) for t in tags]
            text = " ".join([str(raw.get(k) or "") for k in ("title", "product_type", "vendor")] + tags).lower()
            score = len(words & set(re.findall(r"[a-z0-9]+", text)))
            if score:
                scored.append((score, _from_products_json(raw, tags)))
        scored.sort(key=lambda pair: -pair[0])
        return [item for _, item in scored]

    def product(self, handle: str) -> Product:
        """One product from its `/products/<handle>.js` document (prices in minor units)."""
        data = self._js(handle)
        if data is None:
            raise ShopError(f"{host_of(self.base_url)}: no product {handle!r}", kind="http", status=404)
        item = {"title": data.get("title"), "handle": handle, "url": data.get("url") or f"/products/{handle}"}
        return self._product(item, self._shop_currency(), data)

    # --- internals -------------------------------------------------------------------------------

    def _shop_currency(self) -> str:
        if not self._currency_checked:
            self._currency_checked = True
            try:
                self.currency = (detect_currency(self.http.get_text(self.base_url + "/")) or "").upper() or None
            except ShopError as exc:
                log.warning("currency of %s unknown: %s", self.base_url, exc.reason)
        return self.currency or ""

    def _js(self, handle: str) -> dict[str, Any] | None:
        try:
            data = self.http.get_json(f"{self.base_url}/products/{quote(handle, safe='')}.js")
        except ShopError as exc:
            if exc.kind in ("refused", "captcha", "not_now"):
                raise
            log.info("no details for %s on %s: %s", handle, self.base_url, exc.reason)
            return None
        return data if isinstance(data, dict) else None

    def _details(self, item: dict[str, Any]) -> dict[str, Any] | None:
        handle = item.get("handle") or _handle_from_url(str(item.get("url") or ""))
        return self._js(handle) if handle else None

    def _price_unit(self, item: dict[str, Any], raw: float, details: dict[str, Any] | None) -> float | None:
        """Whether integer prices of this shop are cents or whole units, checked once against the `.js`."""
        if self._unit is not None:
            return self._unit
        details = details or self._details(item)
        js_price = details.get("price") if details else None
        if not isinstance(js_price, int | float):
            return None
        if abs(js_price - raw) < 0.5:
            self._unit = 0.01  # suggest.json gave minor units like the .js document
        elif abs(js_price - raw * 100) < 0.5:
            self._unit = 1.0
        else:
            return None  # they disagree (a variant?): no price rather than a guess
        log.info("%s: integer suggest prices are %s", self.base_url, "cents" if self._unit == 0.01 else "units")
        return self._unit

    def _money(self, item: dict[str, Any], value: Any, details: dict[str, Any] | None) -> float | None:
        amount, doubtful = _amount(value)
        if amount is None or not doubtful:
            return amount
        unit = self._price_unit(item, amount, details)
        return None if unit is None else round(amount * unit, 2)

    def _product(self, item: dict[str, Any], currency: str, details: dict[str, Any] | None) -> Product:
        base = self.base_url + "/"
        title = str(item.get("title") or (details or {}).get("title") or "")
        url = drop_tracking(urljoin(base, str(item.get("url") or f"/products/{item.get('handle')}")))
        image = item.get("image") or (item.get("featured_image") or {}).get("url") or ""
        provenance = {"price": "shopify predictive search", "url": "shopify predictive search"}
        price = self._money(item, item.get("price", item.get("price_min")), details)
        regular = self._money(item, item.get("compare_at_price_max") or item.get("compare_at_price_min"), details)
        available = item.get("available")
        variants = [v for v in item.get("variants") or [] if isinstance(v, dict)]
        color = find_color([str(v.get("title") or "") for v in variants])
        color = color or find_color(str(t) for t in item.get("tags") or [] if isinstance(t, str))
        description = strip_html(item.get("body"))
        product_type = str(item.get("type") or item.get("product_type") or "")
        vendor = str(item.get("vendor") or "")
        if details:
            price = _cents(details.get("price")) if details.get("price") is not None else price
            regular = _cents(details.get("compare_at_price")) or _cents(details.get("compare_at_price_max")) or regular
            provenance["price"] = "shopify product .js (minor units)"
            available = details.get("available", available)
            color = _option_color(details) or color
            description = strip_html(details.get("description")) or description
            product_type = product_type or str(details.get("type") or "")
            vendor = vendor or str(details.get("vendor") or "")
            image = image or details.get("featured_image") or ""
        return finish(Product(
            source="shopify", url=url, name=title, brand=vendor, price=price, regular_price=regular,
            currency=currency,
            availability="unknown" if available is None else ("in_stock" if available else "out_of_stock"),
            image=urljoin(base, str(image)) if image else "",
            color=color or color_from_words(title), category=category_of(product_type, title),
            description=description, shop=self.shop, provenance=provenance,
        ))


def _from_products_json(raw: dict[str, Any], tags: list[str]) -> dict[str, Any]:
    """A `/products.json` product (decimal-string prices) in the shape of a predictive search result."""
    variants = [v for v in raw.get("variants") or [] if isinstance(v, dict)]
    first = variants[0] if variants else {}
    images = [i for i in raw.get("images") or [] if isinstance(i, dict)]
    return {
        "title": raw.get("title"), "handle": raw.get("handle"), "url": f"/products/{raw.get('handle')}",
        "vendor": raw.get("vendor"), "type": raw.get("product_type"), "tags": tags, "body": raw.get("body_html"),
        "price": first.get("price"), "compare_at_price_max": first.get("compare_at_price"),
        "available": any(bool(v.get("available")) for v in variants) if variants else None,
        "image": images[0].get("src") if images else "", "variants": [{"title": v.get("title")} for v in variants],
    }


def _cents(value: Any) -> float | None:
    """A `.js` amount in minor units (12900) as a decimal number (129.0); None when absent."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return round(value / 100, 2)


def _option_color(details: dict[str, Any]) -> str:
    """The color named by the product's Color option (first value), else ""."""
    options = details.get("options") or []
    for position, option in enumerate(options, start=1):
        if isinstance(option, dict) and str(option.get("name", "")).lower() in _COLOR_OPTION_NAMES:
            values = [str(v) for v in option.get("values") or []]
            variants = [v for v in details.get("variants") or [] if isinstance(v, dict)]
            available = [str(v.get(f"option{position}") or "") for v in variants if v.get("available")]
            return (available[0] if available and available[0] else "") or (values[0] if values else "")
    return ""


def _handle_from_url(url: str) -> str:
    m = re.search(r"/products/([^/?#]+)", urlsplit(url).path)
    return m.group(1) if m else ""
