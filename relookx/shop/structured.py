"""Structured data inside a product page: lenient JSON, JSON-LD and schema.org microdata.

Script blocks are found with regular expressions and their JSON decoded leniently; the microdata item is read
tag by tag with a regex tokenizer. Each extractor returns the fields of the page's main product (absent fields
left out), for `relookx.shop.parse` to merge with OpenGraph and platform JSON. The small value normalisers
(prices, currencies, URLs, availability, offers) live in `relookx.shop.values`.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from relookx.shop.values import (
    _clean,
    _description,
    _offer_fields,
    _summarise_offers,
    _url,
    availability,
    price_field,
)

__all__ = ["availability", "json_ld", "loads_lenient", "microdata", "price_field"]

log = logging.getLogger(__name__)

_SCRIPT_RE = re.compile(r"<script\b([^>]*)>", re.I)
_SCRIPT_END_RE = re.compile(r"</script\s*>", re.I)
_ATTR_RE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_MICRODATA_RE = re.compile(r"""<[a-z][^>]*\bitemtype\s*=\s*["']?[^"'>]*schema\.org/Product(?:Group)?\b""", re.I)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_CDATA_RE = re.compile(r"(?:/\*\s*)?(?://\s*)?<!\[CDATA\[(?:\s*\*/)?|(?:/\*\s*)?(?://\s*)?\]\]>(?:\s*\*/)?")
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_PRODUCT_TYPES = frozenset({"product", "productgroup", "individualproduct"})


# --- Small helpers ----------------------------------------------------------------------------------


def _types(node: dict[str, Any]) -> set[str]:
    """The node's `@type`s, lower case and without a URL prefix ("http://schema.org/Product" -> "product")."""
    raw = node.get("@type", [])
    names = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/#:]", n.strip())[-1].lower() for n in names if isinstance(n, str)}


# --- Lenient JSON -----------------------------------------------------------------------------------


def loads_lenient(text: str) -> list[Any]:
    """Every JSON value in a script body, tolerating CDATA, HTML comments, control characters, trailing commas."""
    body = _CDATA_RE.sub("", text).strip().strip(";").strip()
    if body.startswith("<!--") and body.endswith("-->") and body.find("-->") == len(body) - 3:
        body = body[4:-3].strip()
    body = _COMMENT_RE.sub("", body).replace("<!--", "").replace("-->", "").strip()
    for attempt in (body, _TRAILING_COMMA_RE.sub(r"\1", body).replace("\\'", "'")):
        values = _decode_all(attempt)
        if values:
            return values
    log.debug("skipped a JSON block that could not be parsed: %.80r", body)
    return []


def _decode_all(text: str) -> list[Any]:
    """Values one after another ("{..}{..}" or "{..},{..}"); [] when any of them is broken."""
    decoder = json.JSONDecoder(strict=False)
    values, pos = [], 0
    while pos < len(text):
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return []
        values.append(value)
        while pos < len(text) and text[pos] in " \t\r\n,;":
            pos += 1
    return values


def _scripts(page: str, kind: str) -> Iterator[tuple[str, str]]:
    """(attributes, body) of every <script> whose attributes mention `kind` (e.g. "ld+json")."""
    for match in _SCRIPT_RE.finditer(page):
        end = _SCRIPT_END_RE.search(page, match.end())
        attrs = match.group(1)
        if kind in attrs.lower():
            yield attrs, page[match.end(): end.start() if end else len(page)]


# --- JSON-LD ----------------------------------------------------------------------------------------


def _walk(value: Any, index: dict[str, Any], seen: set[int]) -> Iterator[dict[str, Any]]:
    """Nodes of a JSON-LD document: top level, arrays, `@graph`, `mainEntity` (by `@id` too)."""
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, index, seen)
    elif isinstance(value, dict):
        if set(value) == {"@id"} and value["@id"] in index:
            value = index[value["@id"]]
        if id(value) in seen:
            return
        seen.add(id(value))
        yield value
        for key in ("@graph", "mainEntity"):
            if isinstance(value.get(key), list | dict):
                yield from _walk(value[key], index, seen)


def _index(value: Any, index: dict[str, Any]) -> None:
    if isinstance(value, list):
        for item in value:
            _index(item, index)
    elif isinstance(value, dict):
        if isinstance(value.get("@id"), str) and len(value) > 1:
            index.setdefault(value["@id"], value)
        for item in value.values():
            if isinstance(item, list | dict):
                _index(item, index)


def _deref(value: Any, index: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_deref(v, index) for v in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return index.get(value["@id"], value)
    return value


def _offers(value: Any, index: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Offers flattened: a list, one Offer, an AggregateOffer (itself plus any `offers` inside)."""
    for offer in _deref(value if isinstance(value, list) else [value], index):
        if isinstance(offer, dict):
            yield offer
            if "offers" in offer:
                yield from _offers(offer["offers"], index)


def _product_fields(node: dict[str, Any], base: str, index: dict[str, Any]) -> dict[str, Any]:
    """The fields of one Product node (offers summarised); absent fields are left out."""
    offers = [_offer_fields(o) for o in _offers(node.get("offers"), index)]
    fields: dict[str, Any] = {
        "name": _clean(node.get("name")), "brand": _clean(_deref(node.get("brand"), index)),
        "image": _url(_deref(node.get("image"), index), base), "url": _url(node.get("url"), base),
        "color": _clean(node.get("color")), "description": _description(node.get("description")),
        "category": _clean(node.get("category")),
    }
    fields.update(_summarise_offers(offers))
    return {k: v for k, v in fields.items() if v not in (None, "")}


def _same_page(a: str, b: str) -> bool:
    return bool(a) and a.split("#")[0].rstrip("/") == b.split("#")[0].rstrip("/")


def _choose(nodes: list[dict[str, Any]], base: str) -> dict[str, Any] | None:
    """The main product: the one whose url is the page, else the first with offers, else the first."""
    products = [n for n in nodes if _types(n) & _PRODUCT_TYPES]
    if not products:
        return None
    return max(products, key=lambda n: (2 * _same_page(_url(n.get("url"), base), base) + ("offers" in n or
                                                                                          "hasVariant" in n)))


def _node_fields(node: dict[str, Any], base: str, index: dict[str, Any]) -> dict[str, Any]:
    """Fields of a Product, or of a ProductGroup through its variants (the page's variant when it names one)."""
    fields = _product_fields(node, base, index)
    variants = [v for v in _deref(node.get("hasVariant") or [], index) if isinstance(v, dict)]
    if not variants:
        return fields
    chosen = [v for v in variants if _same_page(_url(v.get("url"), base), base)]
    if chosen:
        return {**fields, **_product_fields(chosen[0], base, index), "name": fields.get("name")
                or _clean(chosen[0].get("name"))}
    offers = [_offer_fields(o) for v in variants for o in _offers(v.get("offers"), index)]
    offers += [_offer_fields(o) for o in _offers(node.get("offers"), index)]
    merged = {**fields, **{k: v for k, v in _summarise_offers(offers).items() if v not in (None, "")}}
    colors = {_clean(v.get("color")) for v in variants} - {""}
    if "color" not in merged and len(colors) == 1:
        merged["color"] = colors.pop()
    if "image" not in merged:
        merged["image"] = _url([v.get("image") for v in variants], base)
    return {k: v for k, v in merged.items() if v not in (None, "")}


def json_ld(page: str, base: str) -> dict[str, Any]:
    """Fields of the main Product in the page's JSON-LD blocks; {} when there is none."""
    documents = [v for _, body in _scripts(page, "ld+json") for v in loads_lenient(body)]
    index: dict[str, Any] = {}
    _index(documents, index)
    node = _choose(list(_walk(documents, index, set())), base)
    return _node_fields(node, base, index) if node else {}


# --- Microdata --------------------------------------------------------------------------------------

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr", "param"})
_URL_ATTR = {"a": "href", "area": "href", "link": "href", "img": "src", "source": "src", "embed": "src",
             "iframe": "src", "audio": "src", "video": "src", "track": "src", "object": "data"}
_VALUE_ATTR = {"meta": "content", "data": "value", "meter": "value", "input": "value", "time": "datetime"}


_TOKEN_RE = re.compile(r"""<(/?)([a-zA-Z][^\s/>]*)((?:"[^"]*"|'[^']*'|[^'">])*)>|<!--.*?-->""", re.S)
_RAW_END = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}
_Frame = tuple[str, dict[str, Any] | None, list[str], list[str] | None]


class _Microdata:
    """Reads the first Product item, from its opening tag on, as a JSON-LD-like dict.

    A regex tokenizer with a stack of open elements: end tags close back to their opening tag and
    stray ones are ignored, like a browser's tree builder, at a fifth of HTMLParser's cost.
    """

    def __init__(self) -> None:
        self.stack: list[_Frame] = []
        self.open: dict[str, int] = {}
        self.item: dict[str, Any] | None = None
        self.collecting = 0

    def read(self, page: str, pos: int) -> dict[str, Any] | None:
        """The item whose tag starts at `pos`; None when there is none."""
        for match in _TOKEN_RE.finditer(page, pos):
            if match.start() < pos:
                continue  # inside a script or style skipped below
            if self.collecting and match.start() > pos:
                self._data(html_lib.unescape(page[pos:match.start()]))
            pos = match.end()
            closing, tag, attrs = match.groups()
            if tag is None:
                continue
            tag = tag.lower()
            if closing:
                if self._end(tag):
                    break
                continue
            self._start(tag, attrs)
            if self.item is not None and not self.stack:
                break  # the item sat on a void element: no children to read
            if tag in _RAW_END:
                end = _RAW_END[tag].search(page, pos)
                pos = end.end() if end else len(page)
        while self.stack and not self._end(self.stack[-1][0]):
            pass
        return self.item

    def _owner(self) -> dict[str, Any] | None:
        return next((frame[1] for frame in reversed(self.stack) if frame[1] is not None), None)

    def _add(self, props: list[str], value: Any) -> None:
        owner = self._owner()
        if owner is not None:
            for prop in props:
                owner.setdefault(prop, []).append(value)

    def _push(self, frame: _Frame) -> None:
        self.stack.append(frame)
        self.open[frame[0]] = self.open.get(frame[0], 0) + 1
        self.collecting += frame[3] is not None

    def _start(self, tag: str, attr_text: str) -> None:
        lowered = attr_text.lower()
        if "itemprop" not in lowered and "itemscope" not in lowered:
            if tag not in _VOID:
                self._push((tag, None, [], None))
            return
        a = {m[0].lower(): html_lib.unescape(m[1] or m[2] or m[3]) for m in _ATTR_RE.findall(attr_text)}
        props = a.get("itemprop", "").split()
        if "itemscope" in a:
            item: dict[str, Any] = {"@type": a.get("itemtype", "").split()[:1]}
            if self.item is None:
                self.item = item
            else:
                self._add(props, item)
            if tag not in _VOID:
                self._push((tag, item, [], None))
            return
        fixed = a.get("content") if "content" in a else a.get(_URL_ATTR.get(tag, "") or _VALUE_ATTR.get(tag, ""))
        if props and (tag in _VOID or fixed is not None):
            self._add(props, fixed or "")
            props = []
        if tag not in _VOID:
            self._push((tag, None, props, [] if props else None))

    def _data(self, text: str) -> None:
        for frame in self.stack:
            if frame[3] is not None:
                frame[3].append(text)

    def _end(self, tag: str) -> bool:
        """Close `tag` and what it encloses; True once the root item is closed."""
        if not self.open.get(tag):
            return False
        while self.stack:
            name, item, props, text = self.stack.pop()
            self.open[name] -= 1
            if text is not None:
                self.collecting -= 1
                self._add(props, " ".join("".join(text).split()))
            if item is not None and item is self.item:
                return True
            if name == tag:
                return False
        return False


def _plain(value: Any) -> Any:
    """Microdata's {prop: [values]} as JSON-LD: one value unwrapped, nested items converted."""
    if isinstance(value, list):
        items = [_plain(v) for v in value]
        return items[0] if len(items) == 1 else items
    if isinstance(value, dict):
        return {k: (v[0] if k == "@type" and v else ("" if k == "@type" else _plain(v))) for k, v in value.items()}
    return value


def microdata(page: str, base: str) -> dict[str, Any]:
    """Fields of the first schema.org Product microdata item on the page; {} when there is none."""
    # Literal checks first: a case-insensitive regex over 1 MB costs ten times more.
    marked = any(marker in page for marker in ("itemtype", "itemType", "ITEMTYPE"))
    match = _MICRODATA_RE.search(page) if marked else None
    if not match:
        return {}
    item = _Microdata().read(page, match.start())
    return _node_fields(_plain(item), base, {}) if item else {}
