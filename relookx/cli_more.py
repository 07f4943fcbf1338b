"""Shop and preview commands of `python -m relookx`: shop search, shop parse, preview, tunnel check."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import IO, Any

from relookx.config import Settings
from relookx.errors import RelookXError


def cmd_shop_search(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Search products in the configured shops, one source, or the demo catalog."""
    from relookx.cli import open_store
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


def cmd_preview(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Render a preview of the user wearing a piece (the webui when configured, else a mock-up)."""
    from relookx import history
    from relookx.cli import _user_id, open_store
    from relookx.db import session_scope
    from relookx.fashion.pieces import piece_of
    from relookx.photos import storage_for
    from relookx.preview import service

    storage = storage_for(settings)
    with open_store(settings) as engine:
        user_id = _user_id(engine, args.user)
        rec_id = args.recommendation
        if args.piece:
            piece = service.piece_from_text(args.piece)
        else:
            with session_scope(engine) as session:
                rec = (history.get_recommendation(session, user_id=user_id, recommendation_id=rec_id) if rec_id
                       else history.latest_recommendation(session, user_id=user_id))
            if rec is None:
                raise RelookXError("No recommendation yet: pass --piece \"red beanie\" or ask for one first "
                                   f"(python -m relookx recommend --user {args.user} ...).")
            piece, rec_id = piece_of(rec), rec.id
        request = service.request_for(engine, storage, user_id=user_id, photo_number=args.photo, piece=piece,
                                      mode=args.mode, steps=args.steps, seed=args.seed)
        client = service.webui_client(settings)
        result = service.generate(request, client, on_progress=None)
        preview = service.save(engine, storage, user_id=user_id, photo_number=args.photo, result=result,
                               piece=piece, recommendation_id=rec_id)
    target = Path(args.out)
    try:
        target.write_bytes(result.image)
    except OSError as exc:
        raise RelookXError(f"Cannot write {target}: {exc.strerror or exc}") from None
    what = "mock-up (no webui configured)" if result.backend == "mockup" else f"webui, {result.mode} mode"
    print(f"Wrote {target} ({result.format}, {what}, {result.seconds:.1f} s); saved as preview {preview.id}",
          file=out)
    for warning in result.warnings:
        print(f"warning: {warning}", file=out)
    return 0


def cmd_tunnel_check(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Connect to the SSH gateway, verify its key, forward, and call the webui's health endpoint."""
    from relookx.preview.tunnel import check_tunnel

    if not settings.ssh_host:
        raise RelookXError("No SSH gateway configured: set RELOOKX_SSH_HOST (and RELOOKX_SSH_USER, a key or "
                           "password, and RELOOKX_SSH_KNOWN_HOSTS or RELOOKX_SSH_HOST_FINGERPRINT).")
    for line in check_tunnel(settings):
        print(line, file=out)
    return 0


def register(groups: Any) -> None:
    """Add the shop, preview and tunnel commands to the CLI's subcommand groups."""
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

    preview = groups.add_parser("preview", help="render a preview of you wearing a piece")
    preview.add_argument("--user", required=True, help="username")
    preview.add_argument("--photo", required=True, type=int, metavar="N", help="the photo number")
    which = preview.add_mutually_exclusive_group()
    which.add_argument("--recommendation", type=int, metavar="ID", help="a recommendation id (default: latest)")
    which.add_argument("--piece", help="a piece in words, e.g. 'red beanie'")
    preview.add_argument("--mode", choices=("photo", "newlook"), default="photo")
    preview.add_argument("--steps", type=int, default=25)
    preview.add_argument("--seed", type=int, default=-1)
    preview.add_argument("--out", required=True, metavar="FILE", help="where to write the image")
    preview.set_defaults(handler=cmd_preview)

    tunnel = groups.add_parser("tunnel", help="the SSH tunnel to the webui").add_subparsers(dest="action",
                                                                                          required=True)
    tunnel.add_parser("check", help="connect, verify the host key, forward, call the webui").set_defaults(
        handler=cmd_tunnel_check)
