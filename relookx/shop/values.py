"""Small value normalisers shared by the structured-data extractors and `relookx.shop.parse`.

Text cleaning, prices read from price fields (with the currency their text names), ISO currency codes,
absolute URLs, stock states, and the summary of a product's offers.
"""

from __future__ import annotations

import html as html_lib
import math
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

_TAG_RE = re.compile(r"<[^>]*>")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_NUMBER_RE = re.compile(r"\d[\d.,'\u00a0\u202f ]*")
_CODE_RE = re.compile(r"\b[A-Z]{3}\b")
_SYMBOLS = (("US$", "USD"), ("CA$", "CAD"), ("AU$", "AUD"), ("NZ$", "NZD"), ("HK$", "HKD"), ("C$", "CAD"),
            ("A$", "AUD"), ("R$", "BRL"), ("€", "EUR"), ("£", "GBP"), ("$", "USD"))
_ZERO_DECIMAL = frozenset({"JPY", "KRW", "CLP", "VND", "ISK", "PYG", "UGX", "XOF", "XAF"})
_IN_STOCK = frozenset({"instock", "limitedavailability", "preorder", "presale", "backorder", "onlineonly",
                       "available", "availablefororder", "true", "1"})
_OUT_OF_STOCK = frozenset({"outofstock", "soldout", "discontinued", "unavailable", "notavailable", "false",
                           "0"})
_LIST_PRICE_TYPES = ("listprice", "strikethroughprice", "msrp", "regularprice")


def _clean(value: Any) -> str:
    """A one-line text from a string, number, list (first item) or {"name"} dict."""
    if isinstance(value, list):
        return next((t for t in (_clean(v) for v in value) if t), "")
    if isinstance(value, dict):
        return _clean(value.get("name") or value.get("@value") or "")
    if isinstance(value, bool) or value is None:
        return ""
    return " ".join(_CONTROL_RE.sub(" ", html_lib.unescape(str(value))).split())


def availability(value: Any) -> str | None:
    """"in_stock" / "out_of_stock" from schema.org URLs, suffixes or words; None when not recognised."""
    if isinstance(value, bool):
        return "in_stock" if value else "out_of_stock"
    key = re.sub(r"[\s_\-]+", "", re.split(r"[/#:]", _clean(value))[-1].lower())
    if key in _IN_STOCK:
        return "in_stock"
    if key in _OUT_OF_STOCK:
        return "out_of_stock"
    return None


def _number(token: str, zero_decimal: bool) -> float | None:
    token = re.sub(r"['\u00a0\u202f ]", "", token).strip(".,")
    if "," in token and "." in token:
        decimal = "," if token.rfind(",") > token.rfind(".") else "."
        token = token.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    else:
        for sep in ",.":
            parts = token.split(sep)
            # One separator before exactly three digits groups thousands ("1.299", "24.990" in CLP).
            if len(parts) > 2 or (len(parts) == 2 and parts[0] not in ("", "0")
                                  and (len(parts[1]) == 3 or zero_decimal)):
                token = "".join(parts)
            elif len(parts) == 2:
                token = f"{parts[0]}.{parts[1]}"
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def price_field(value: Any, currency: str = "") -> tuple[float | None, str]:
    """A positive amount and the currency its text names, from a PRICE FIELD: 129, "1.234,56", "$1,234.56"."""
    if isinstance(value, bool) or value is None:
        return None, ""
    if isinstance(value, int | float):
        amount: float | None = float(value)
        found = ""
    else:
        text = _clean(value)
        match = _NUMBER_RE.search(text)
        if not match:
            return None, ""
        found = _currency_in(text)
        amount = _number(match.group(), (currency or found) in _ZERO_DECIMAL)
    # A zero price is a placeholder on real pages, not a gift: treat it as missing.
    if amount is None or not math.isfinite(amount) or amount <= 0:
        return None, found
    return round(amount, 2), found


def _currency_in(text: str) -> str:
    """The ISO code or unambiguous symbol in a price text ("EUR 12", "12,00 €"), else ""."""
    codes = set(_CODE_RE.findall(text))
    for symbol, code in _SYMBOLS:  # longest first: "US$" before "$"
        if symbol in text:
            codes.add(code)
            text = text.replace(symbol, " ")
    return codes.pop() if len(codes) == 1 else ""


def _currency(value: Any) -> str:
    """An ISO 4217 code ("eur" -> "EUR"), or ""."""
    text = _clean(value).upper()
    return text if re.fullmatch(r"[A-Z]{3}", text) else ""


def _url(value: Any, base: str) -> str:
    """An absolute URL from a string, list, or ImageObject ({"url"} / {"contentUrl"})."""
    if isinstance(value, list):
        return next((u for u in (_url(v, base) for v in value) if u), "")
    if isinstance(value, dict):
        return _url(value.get("url") or value.get("contentUrl") or value.get("src") or value.get("@id") or "", base)
    text = _clean(value)
    if not text or text.startswith("#"):
        return ""
    return http_url(urljoin(base, text))


def http_url(value: object) -> str:
    """The URL when it is an absolute http(s) address, else "" (javascript:, data:, file:... in any case)."""
    text = str(value or "").strip()
    try:
        parts = urlsplit(text)  # drops tabs and newlines the way browsers do, so "java\tscript:" is caught
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return text


def _description(value: Any) -> str:
    text = _clean(_TAG_RE.sub(" ", html_lib.unescape(_clean(value))))
    return re.sub(r"\s+([,.;:!?])", r"\1", text)


def _offer_fields(offer: dict[str, Any]) -> dict[str, Any]:
    """price, regular_price, currency, availability of one Offer (prices only from price fields)."""
    currency = _currency(offer.get("priceCurrency"))
    price, symbol = price_field(offer.get("price"), currency)
    if price is None:
        price, symbol = price_field(offer.get("lowPrice"), currency)
    regular = None
    specs = offer.get("priceSpecification") or []
    for spec in specs if isinstance(specs, list) else [specs]:
        if not isinstance(spec, dict):
            continue
        amount, spec_symbol = price_field(spec.get("price"), currency)
        currency = currency or _currency(spec.get("priceCurrency"))
        if any(t in _clean(spec.get("priceType")).lower() for t in _LIST_PRICE_TYPES):
            regular = amount
        elif price is None:
            price, symbol = amount, spec_symbol
    return {"price": price, "regular_price": regular, "currency": currency, "symbol": symbol,
            "availability": availability(offer.get("availability"))}


def _summarise_offers(offers: list[dict[str, Any]]) -> dict[str, Any]:
    """The lowest in-stock price (else the lowest price); in stock if any offer is."""
    states = [o["availability"] for o in offers if o["availability"]]
    state = "in_stock" if "in_stock" in states else ("out_of_stock" if states else None)
    priced = [o for o in offers if o["price"] is not None]
    best_pool = [o for o in priced if o["availability"] == "in_stock"] or priced
    best = min(best_pool, key=lambda o: o["price"]) if best_pool else None
    currency = next((o["currency"] for o in ([best] if best else []) + offers if o["currency"]), "")
    symbol = best["symbol"] if best else ""
    return {"price": best["price"] if best else None, "regular_price": best["regular_price"] if best else None,
            "availability": state, "currency": currency, "currency_symbol": "" if currency else symbol}
