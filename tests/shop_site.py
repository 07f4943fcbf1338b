"""A local shop site for tests: answers like a Shopify or a WooCommerce shop, and like RapidAPI's asos2.

`LocalShop` runs a stdlib `ThreadingHTTPServer` on 127.0.0.1 (free port) in a thread. By default it
serves the platform's home page, its default robots.txt, its search API and product documents from a
small catalog (`CATALOG`). Scripted behaviours override a path: `shop.script(path, reply, ...)` queues
one-off answers (consumed in order), `shop.route(path, reply)` replaces the answer for good; see
`Reply`, `robots_disallow`, `captcha_page`. Every request is recorded in `shop.requests`.

Used as a pytest plugin (`pytest_plugins = ["tests.shop_site"]`): fixtures `shop_site` (a factory:
`shop_site("shopify", price_style="cents")`), `shopify_site` and `woocommerce_site`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

SHOPIFY_ROBOTS = """\
# we use Shopify as our ecommerce platform

User-agent: *
Disallow: /a/downloads/-/*
Disallow: /admin
Disallow: /cart
Disallow: /orders
Disallow: /checkouts/
Disallow: /checkout
Disallow: /carts
Disallow: /account
Disallow: /collections/*sort_by*
Disallow: /*/collections/*sort_by*
Disallow: /collections/*+*
Disallow: /collections/*%2B*
Disallow: /collections/*%2b*
Disallow: /*/collections/*+*
Disallow: /blogs/*+*
Disallow: /*/blogs/*%2B*
Disallow: /*?*oseid=*
Disallow: /*preview_theme_id*
Disallow: /*preview_script_id*
Disallow: /policies/
Disallow: /*/policies/
Disallow: /*/*?*ls=*&ls=*
Disallow: /*/*?*ls%3D*%3Fls%3D*
Disallow: /*/*?*ls%3d*%3fls%3d*
Disallow: /search
Allow: /search/
Disallow: /search/?*
Disallow: /apple-app-site-association
Disallow: /.well-known/shopify/monorail
Disallow: /cdn/wpm/*.js
Disallow: /recommendations/products
Disallow: /*/recommendations/products
Sitemap: https://shop.example/sitemap.xml

# Google adsbot ignores robots.txt unless specifically named!
User-agent: adsbot-google
Disallow: /checkouts/
Disallow: /checkout
Disallow: /carts
Disallow: /orders

User-agent: Nutch
Disallow: /

User-agent: MJ12bot
Crawl-Delay: 10

User-agent: Pinterest
Crawl-delay: 1
"""

WORDPRESS_ROBOTS = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"


@dataclass
class Item:
    """One product of the test catalog (prices in minor units)."""

    handle: str
    title: str
    vendor: str
    type: str
    price: int  # minor units: 12900 = 129.00
    compare_at: int | None = None
    color: str = "Navy"
    sizes: tuple[str, ...] = ("S", "M", "L")
    available: bool = True
    tags: tuple[str, ...] = ()


CATALOG = [
    Item("navy-wool-blazer", "Slim Wool Blazer", "Atelier Nord", "Blazers", 12900, 15900, "Navy",
         tags=("wool", "tailoring")),
    Item("burgundy-knit", "Chunky Knit Sweater", "Maison Laine", "Sweaters", 7950, None, "Burgundy",
         tags=("knit", "color:burgundy")),
    Item("white-oxford-shirt", "Oxford Shirt", "Atelier Nord", "Shirts", 4900, None, "White", available=False),
    Item("camel-coat", "Long Wool Coat", "Maison Laine", "Coats", 24900, 29900, "Camel", tags=("wool",)),
]


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: str | bytes | Any = ""  # str/bytes sent as is; anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = ""


@dataclass
class Recorded:
    """One request the site received."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival

    @property
    def bare_path(self) -> str:
        """The path without its query string."""
        return self.path.split("?", 1)[0]

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (first value of each)."""
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}


def robots_disallow(*paths: str) -> Reply:
    """A robots.txt answer that disallows these paths for every crawler."""
    return Reply(body="User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in paths), content_type="text/plain")


def captcha_page() -> Reply:
    """A Cloudflare-like bot-check page."""
    body = ("<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>"
            "<div id='cf-challenge-running'>Please verify you are a human</div>"
            "<form id='challenge-form'><div class='g-recaptcha'></div></form></body></html>")
    return Reply(status=200, body=body, content_type="text/html; charset=utf-8")


class LocalShop:
    """A running local shop; `platform` is "shopify", "woocommerce" or "html"."""

    def __init__(self, platform: str = "shopify", *, currency: str = "EUR", price_style: str = "decimal",
                 catalog: list[Item] | None = None, name: str = "Test Boutique", api_key: str = "test-key") -> None:
        self.platform = platform
        self.currency = currency
        self.price_style = price_style  # Shopify suggest.json prices: "decimal" ("129.00") or "cents" (12900)
        self.catalog = list(catalog or CATALOG)
        self.name = name
        self.api_key = api_key
        self.requests: list[Recorded] = []
        self._queued: dict[str, deque[Reply]] = {}
        self._routes: dict[str, Reply | Callable[[Recorded], Reply]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def host(self) -> str:
        """127.0.0.1:PORT"""
        return self.base_url.split("://", 1)[1]

    def close(self) -> None:
        """Stop the server."""
        self._server.shutdown()
        self._server.server_close()

    def script(self, path: str, *replies: Reply) -> None:
        """Queue one-off answers for a path (without query), used before the default."""
        with self._lock:
            self._queued.setdefault(path, deque()).extend(replies)

    def route(self, path: str, reply: Reply | Callable[[Recorded], Reply]) -> None:
        """Replace the answer for a path (without query) for good."""
        self._routes[path] = reply

    def requests_to(self, path: str) -> list[Recorded]:
        """The recorded requests for a path (without query)."""
        return [r for r in self.requests if r.bare_path == path]

    # --- answers ---------------------------------------------------------------------------------

    def answer(self, req: Recorded) -> Reply:
        """The reply for a request: a queued one, a route, else the platform's default."""
        path = req.bare_path
        with self._lock:
            queue = self._queued.get(path)
            if queue:
                return queue.popleft()
        route = self._routes.get(path)
        if route is not None:
            return route(req) if callable(route) else route
        if path == "/products/v2/list":
            return self._asos(req)
        if path == "/robots.txt":
            robots = {"shopify": SHOPIFY_ROBOTS, "woocommerce": WORDPRESS_ROBOTS}.get(self.platform, "")
            return Reply(body=robots, content_type="text/plain") if robots else Reply(status=404, body="not found")
        if path == "/":
            return Reply(body=self.home_page(), content_type="text/html; charset=utf-8")
        if self.platform == "shopify" and path == "/search/suggest.json":
            return Reply(body=self._suggest(req.query))
        if self.platform == "shopify" and path.startswith("/products/") and path.endswith(".js"):
            item = self._item(path[len("/products/"):-3])
            return Reply(body=self.product_js(item), content_type="application/javascript") if item else Reply(
                status=404, body={"status": 404, "description": "Not Found"})
        if self.platform == "shopify" and path == "/products.json":
            return Reply(body=self.products_json())
        if self.platform == "woocommerce" and path == "/wp-json/wc/store/v1/products":
            return self._woo(req.query)
        return Reply(status=404, body="<html><title>Not found</title></html>", content_type="text/html")

    def home_page(self) -> str:
        """The home page with the platform's markers."""
        if self.platform == "shopify":
            return (f"<!doctype html><html><head><title>{self.name}</title>"
                    "<link rel='preconnect' href='https://cdn.shopify.com'>"
                    "<script>window.Shopify = window.Shopify || {}; Shopify.shop = 'test-boutique.myshopify.com';"
                    f"Shopify.currency = {{\"active\":\"{self.currency}\",\"rate\":\"1.0\"}};"
                    "Shopify.theme = {\"name\":\"Dawn\",\"id\":1};</script></head>"
                    "<body><form action='/search'><input name='q'></form></body></html>")
        if self.platform == "woocommerce":
            return (f"<!doctype html><html><head><title>{self.name} &#8211; Just another shop</title>"
                    f"<meta property='og:site_name' content='{self.name}'>"
                    f"<link rel='https://api.w.org/' href='{self.base_url}/wp-json/'>"
                    "<meta name='generator' content='WooCommerce 9.4.2'></head>"
                    "<body class='home page-template woocommerce-no-js'></body></html>")
        return f"<!doctype html><html><head><title>{self.name}</title></head><body>Plain site</body></html>"

    def _item(self, handle: str) -> Item | None:
        return next((i for i in self.catalog if i.handle == handle), None)

    def _matches(self, query: str) -> list[Item]:
        words = query.lower().split()
        def text(i: Item) -> str:
            return " ".join([i.title, i.type, i.vendor, i.color, *i.tags]).lower()
        return [i for i in self.catalog if any(w in text(i) for w in words)] if words else list(self.catalog)

    def _money(self, minor: int | None) -> Any:
        if minor is None:
            return "0.00" if self.price_style == "decimal" else 0
        return f"{minor / 100:.2f}" if self.price_style == "decimal" else minor

    def _suggest(self, query: dict[str, str]) -> dict[str, Any]:
        limit = int(query.get("resources[limit]", "10"))
        products = []
        for pos, i in enumerate(self._matches(query.get("q", ""))[:limit], start=1):
            image = (f"//{self.host}/cdn/shop/files/{i.handle}.jpg" if pos % 2 else f"/cdn/shop/files/{i.handle}.jpg")
            products.append({
                "available": i.available, "body": f"<p>A <strong>{i.title.lower()}</strong> in {i.color}.</p>",
                "compare_at_price_max": self._money(i.compare_at), "compare_at_price_min": self._money(i.compare_at),
                "handle": i.handle, "id": 1000 + pos, "image": image,
                "featured_image": {"url": image, "alt": i.title, "width": 800, "height": 1000},
                "price": self._money(i.price), "price_max": self._money(i.price), "price_min": self._money(i.price),
                "tags": list(i.tags), "title": i.title, "type": i.type, "vendor": i.vendor,
                "url": f"/products/{i.handle}?_pos={pos}&_sid=abc123&_ss=r",
                "variants": [{"available": i.available, "title": f"{i.color} / {s}", "price": self._money(i.price),
                              "url": f"/products/{i.handle}?variant={n}"} for n, s in enumerate(i.sizes)],
            })
        return {"resources": {"results": {"products": products}}}

    def product_js(self, i: Item) -> dict[str, Any]:
        """Shopify's `/products/<handle>.js` document (prices in minor units)."""
        return {
            "id": 1, "title": i.title, "handle": i.handle, "description": f"<p>{i.title} by {i.vendor}</p>",
            "vendor": i.vendor, "type": i.type, "tags": list(i.tags), "price": i.price, "price_min": i.price,
            "price_max": i.price, "available": i.available, "compare_at_price": i.compare_at,
            "options": [{"name": "Color", "position": 1, "values": [i.color]},
                        {"name": "Size", "position": 2, "values": list(i.sizes)}],
            "variants": [{"id": n, "title": f"{i.color} / {s}", "option1": i.color, "option2": s, "price": i.price,
                          "compare_at_price": i.compare_at, "available": i.available} for n, s in enumerate(i.sizes)],
            "featured_image": f"//{self.host}/cdn/shop/files/{i.handle}.jpg", "url": f"/products/{i.handle}",
        }

    def products_json(self) -> dict[str, Any]:
        """Shopify's undocumented `/products.json` (decimal-string prices, tags as a list)."""
        return {"products": [{
            "id": n, "title": i.title, "handle": i.handle, "body_html": f"<p>{i.title}</p>", "vendor": i.vendor,
            "product_type": i.type, "tags": list(i.tags),
            "variants": [{"id": n * 10 + k, "title": f"{i.color} / {s}", "option1": i.color, "option2": s,
                          "price": f"{i.price / 100:.2f}", "available": i.available,
                          "compare_at_price": f"{i.compare_at / 100:.2f}" if i.compare_at else None}
                         for k, s in enumerate(i.sizes)],
            "images": [{"id": n, "src": f"https://cdn.shopify.com/s/files/1/{i.handle}.jpg"}],
            "options": [{"name": "Color", "values": [i.color]}, {"name": "Size", "values": list(i.sizes)}],
        } for n, i in enumerate(self.catalog, start=1)]}

    def _woo(self, query: dict[str, str]) -> Reply:
        items = self._matches(query.get("search", ""))[: int(query.get("per_page", "10"))]
        body = [{
            "id": n, "name": i.title + " &#8211; " + i.color, "slug": i.handle,
            "permalink": f"{self.base_url}/product/{i.handle}/",
            "short_description": f"<p>A <em>{i.title.lower()}</em> &amp; more.</p>",
            "prices": {"price": str(i.price), "regular_price": str(i.compare_at or i.price),
                       "sale_price": str(i.price), "currency_code": self.currency, "currency_symbol": "€",
                       "currency_minor_unit": 2, "currency_decimal_separator": ",",
                       "currency_thousand_separator": ".", "price_range": None},
            "images": [{"id": n, "src": f"{self.base_url}/wp-content/uploads/{i.handle}.jpg", "alt": ""}],
            "categories": [{"id": 1, "name": i.type, "slug": i.type.lower()}],
            "attributes": [{"id": 1, "name": "Color", "taxonomy": "pa_color",
                            "terms": [{"id": 1, "name": i.color, "slug": i.color.lower()}]}],
            "is_in_stock": i.available, "is_purchasable": True,
        } for n, i in enumerate(items, start=1)]
        return Reply(body=body, headers={"X-WP-Total": str(len(body)), "X-WP-TotalPages": "1"})

    def _asos(self, req: Recorded) -> Reply:
        if req.headers.get("x-rapidapi-key") != self.api_key:
            return Reply(status=403, body={"message": "You are not subscribed to this API."})
        limit = int(req.query.get("limit", "48"))
        products = [{
            "id": 204154619 + n, "name": f"{i.vendor} {i.title.lower()} in {i.color.lower()}", "brandName": i.vendor,
            "colour": i.color if n % 2 else "",
            "price": {"current": {"value": i.price / 100, "text": f"${i.price / 100:.2f}"},
                      "previous": {"value": (i.compare_at or 0) / 100 or None, "text": ""}, "currency": "USD"},
            "url": f"{i.vendor.lower().replace(' ', '-')}/{i.handle}/prd/{204154619 + n}?clr={i.color.lower()}",
            "imageUrl": f"images.asos-media.com/products/{i.handle}/{204154619 + n}-1-{i.color.lower()}",
        } for n, i in enumerate(self._matches(req.query.get("q", ""))[:limit])]
        return Reply(body={"searchTerm": req.query.get("q", ""), "itemCount": len(products), "products": products})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        shop = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                req = Recorded("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                with shop._lock:
                    shop.requests.append(req)
                reply = shop.answer(req)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body
                if isinstance(body, str):
                    data, ctype = body.encode(), reply.content_type or "text/html; charset=utf-8"
                elif isinstance(body, bytes):
                    data, ctype = body, reply.content_type or "application/octet-stream"
                else:
                    data, ctype = json.dumps(body).encode(), reply.content_type or "application/json; charset=utf-8"
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
                pass

        return Handler


@pytest.fixture
def shop_site() -> Iterator[Callable[..., LocalShop]]:
    """A factory of local shops (`shop_site("woocommerce", currency="USD")`), all closed after the test."""
    shops: list[LocalShop] = []

    def make(platform: str = "shopify", **kwargs: Any) -> LocalShop:
        shop = LocalShop(platform, **kwargs)
        shops.append(shop)
        return shop

    yield make
    for shop in shops:
        shop.close()


@pytest.fixture
def shopify_site(shop_site: Callable[..., LocalShop]) -> LocalShop:
    """A local shop that answers like Shopify (EUR, decimal-string suggest prices)."""
    return shop_site("shopify")


@pytest.fixture
def woocommerce_site(shop_site: Callable[..., LocalShop]) -> LocalShop:
    """A local shop that answers like WooCommerce's Store API (EUR, minor units)."""
    return shop_site("woocommerce")
