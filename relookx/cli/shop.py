"""Shop commands: `shop search`, `shop parse`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import IO, Any

from relookx.cli.common import open_store
from relookx.config import Settings
from relookx.errors import RelookXError


def cmd_shop_search(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Search products in the configured shops, one source, or the demo catalog."""
    from relookx.shop.search import search_text
    from relookx.shop.service import configured_sources, source_from_spec

    notes: list[str] = []
    with open_store(settings) as engine:
        if args.source:
            sources = [source_from_spec(args.source, settings, engine)]
        else:
            sources, notes = configured_sources(settings, engine)
        outcome = search_text(args.query, sources, limit=args.limit)
    outcome.notes[:0] = notes
    if args.json:
        print(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False), file=out)
        return 0
    for note in outcome.notes:
        print(f"note: {note}", file=out)
    if not outcome.ranked:
        print(f"No product found for '{args.query}'.", file=out)
        return 0
    for rank, item in enumerate(outcome.ranked, start=1):
        p = item.product
        price = f"{p.price:,.2f} {p.currency}".strip() if p.price is not None else "price not given"
        demo = " [demo]" if p.demo else ""
        print(f"{rank:>2}. {p.name} — {price} — {p.availability.replace('_', ' ')} — {p.shop or p.source}{demo}",
              file=out)
        print(f"    {p.url}", file=out)
    return 0


def cmd_shop_parse(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Print the product record parsed from a saved product page."""
    from relookx.shop.parse import parse_product, product_record

    path = Path(args.file)
    try:
        html = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise RelookXError(f"Cannot read {path}: {exc.strerror or exc}") from None
    product = parse_product(html, args.url)
    if product is None:
        raise RelookXError(f"No product data (JSON-LD, microdata, OpenGraph or shop JSON) found in {path}.")
    record = product_record(product)
    if args.json:
        print(json.dumps({**record, "provenance": product.provenance}, indent=2, ensure_ascii=False), file=out)
    else:
        for key, value in record.items():
            print(f"{key:<13} {'' if value is None else value}", file=out)
    return 0


def register(groups: Any) -> None:
    """Add the `shop` commands."""
    shop = groups.add_parser("shop", help="products in shops").add_subparsers(dest="action", required=True)
    search = shop.add_parser("search", help="search products")
    search.add_argument("query")
    search.add_argument("--source", help="catalog, shopify:URL, woocommerce:URL or asos (default: the configured "
                                         "shops, or the demo catalog)")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true", help="print JSON instead of text")
    search.set_defaults(handler=cmd_shop_search)
    parse = shop.add_parser("parse", help="print the product record of a saved product page")
    parse.add_argument("file", metavar="FILE.html")
    parse.add_argument("--url", required=True, help="the page's address (resolves relative links)")
    parse.add_argument("--json", action="store_true", help="print JSON (with where each field came from)")
    parse.set_defaults(handler=cmd_shop_parse)
