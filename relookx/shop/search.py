"""Find products: ask every source, broaden a query that finds nothing, rank all candidates together.

A failing shop never fails the search: its error becomes a note ("shop.example: robots.txt disallows
/search") and the other sources still answer. Demo catalog results always come with a note saying so.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from relookx.errors import RelookXError
from relookx.fashion.colors import color_to_hex, hex_to_name, normalize_hex
from relookx.fashion.pieces import Piece, color_in, is_color_word, piece_from_text
from relookx.garments import normalize_category
from relookx.shop.ranking import TEXT_WEIGHTS, rank
from relookx.shop.types import Product, ProductSource, RankedProduct

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]  # (what is happening, fraction done 0..1), as st.progress takes

DEMO_NOTE = "demo catalog: these are demo products, not items of a real shop"
# The broadest word for each category, the last query tried when nothing else finds anything.
CATEGORY_NOUNS: dict[str, str] = {
    "top": "top", "bottom": "trousers", "dress": "dress", "outerwear": "jacket", "footwear": "shoes",
    "accessory": "accessories", "bag": "bag", "headwear": "hat", "other": "",
}
# Words that describe a piece but rarely help a shop's search box.
_FILLER = frozenset((
    "a an the new piece statement classic simple chic cosy cozy elegant casual smart lightweight soft "
    "relaxed slim regular fitted oversized cropped tailored straight fit fitting style styled in with for "
    "and of to your this that light dark pale deep bright muted"
).split())
_WORD_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass
class SearchOutcome:
    """The ranked products of one search, what went wrong or is worth knowing, and how long it took."""

    ranked: list[RankedProduct]
    notes: list[str] = field(default_factory=list)
    sources_tried: list[str] = field(default_factory=list)
    seconds: float = 0.0
    query: str = ""  # the first query asked

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (for `--json` output)."""
        return {"query": self.query, "seconds": round(self.seconds, 4), "sources_tried": self.sources_tried,
                "notes": self.notes, "ranked": [{"score": r.score, "reasons": r.reasons, "product": r.product.to_dict()}
                                                for r in self.ranked]}


def _garment(words: list[str]) -> int:
    """The index of the last garment noun in the words ("overshirt", "t-shirt", "coat"), or -1."""
    for i in range(len(words) - 1, -1, -1):
        if normalize_category(words[i]) != "other":
            return i
    return -1


def _filler(word: str) -> bool:
    return word in _FILLER or ("-" in word and all(part in _FILLER for part in word.split("-")))


def _parts(piece: Piece) -> tuple[str, str, str]:
    """(color, modifier, noun) of the piece, e.g. ("burgundy", "corduroy", "overshirt")."""
    hex_ = normalize_hex(piece.color_hex) or color_to_hex(piece.color_name)
    color = (piece.color_name or (hex_to_name(hex_) if hex_ else "")).lower().strip()
    name = piece.name.lower()
    found = color_in(name)
    if found:
        name = name.replace(found[0], " ")
    color_words = set(color.split())
    words = [w for w in _WORD_RE.findall(name) if not _filler(w) and w not in color_words and not is_color_word(w)]
    at = _garment(words)
    if at < 0:
        return color, "", CATEGORY_NOUNS.get(piece.category, "") or (words[-1] if words else "")
    return color, words[at - 1] if at > 0 else "", words[at]


def query_for(piece: Piece) -> str:
    """A concise shop query for the piece: color + key noun, e.g. "burgundy corduroy overshirt"."""
    return " ".join(w for w in _parts(piece) if w)


def broader_queries(piece: Piece) -> list[str]:
    """The queries to try in turn: the full one, without the color, the bare noun, the category noun."""
    color, modifier, noun = _parts(piece)
    tries = [" ".join(w for w in (color, modifier, noun) if w), " ".join(w for w in (modifier, noun) if w), noun,
             CATEGORY_NOUNS.get(piece.category, "")]
    return [q for q in dict.fromkeys(tries) if q]


def _gather(queries: Sequence[str], sources: Sequence[ProductSource], per_source: int,
            on_progress: ProgressFn | None) -> tuple[list[Product], list[str], list[str]]:
    """Every source's candidates (deduplicated by URL), the notes, and the names of the sources asked."""
    products: dict[str, Product] = {}
    notes: list[str] = []
    tried: list[str] = []
    demo = False
    for i, source in enumerate(sources):
        if on_progress is not None:
            on_progress(f"Searching {source.name}…", i / max(1, len(sources)))
        tried.append(source.name)
        found: list[Product] = []
        try:
            for query in queries:
                found = source.search(query, per_source)
                if found:
                    if query != queries[0]:
                        notes.append(f"{source.name}: nothing for '{queries[0]}', showing results for '{query}'")
                    break
            else:
                notes.append(f"{source.name}: no products found")
        except RelookXError as exc:  # ShopError and friends: a reason the user can read
            log.info("source %s failed: %s", source.name, exc)
            notes.append(f"{source.name}: {exc}")
        for product in found:
            products.setdefault(product.url, product)
            demo = demo or product.demo
    if demo:
        notes.append(DEMO_NOTE)
    if on_progress is not None:
        on_progress("Ranking products…", 1.0)
    return list(products.values()), notes, tried


def find_products(piece: Piece, sources: Sequence[ProductSource], *, budget: float | None = None, limit: int = 3,
                  per_source: int = 20, on_progress: ProgressFn | None = None) -> SearchOutcome:
    """The best `limit` products for a recommended piece across all sources, ranked together."""
    start = time.perf_counter()
    queries = broader_queries(piece)
    candidates, notes, tried = _gather(queries, sources, per_source, on_progress)
    ranked = rank(piece, candidates, budget=budget, limit=limit)
    return SearchOutcome(ranked=ranked, notes=notes, sources_tried=tried, seconds=time.perf_counter() - start,
                         query=queries[0] if queries else "")


def search_text(query: str, sources: Sequence[ProductSource], *, limit: int = 20, per_source: int = 40,
                min_price: float | None = None, max_price: float | None = None,
                source_names: Collection[str] | None = None, in_stock_only: bool = False,
                on_progress: ProgressFn | None = None) -> SearchOutcome:
    """The Shop page's free-text search: filtered by price range, source and stock, ranked by the text."""
    start = time.perf_counter()
    query = " ".join(query.split())
    if not query:
        return SearchOutcome(ranked=[], notes=["Type what you are looking for, e.g. 'navy wool blazer'."])
    chosen = [s for s in sources if source_names is None or s.name in source_names]
    candidates, notes, tried = _gather([query], chosen, per_source, on_progress)
    kept = [p for p in candidates if _passes(p, min_price=min_price, max_price=max_price, in_stock_only=in_stock_only)]
    if candidates and not kept:
        notes.append(f"no product matches the filters ({len(candidates)} found before filtering)")
    ranked = rank(piece_from_text(query), kept, budget=max_price, limit=limit, weights=TEXT_WEIGHTS)
    return SearchOutcome(ranked=ranked, notes=notes, sources_tried=tried, seconds=time.perf_counter() - start,
                         query=query)


def _passes(product: Product, *, min_price: float | None, max_price: float | None, in_stock_only: bool) -> bool:
    """True when the product passes the filters; a price filter drops products without a price."""
    if in_stock_only and product.availability != "in_stock":
        return False
    if min_price is not None or max_price is not None:
        if product.price is None:
            return False
        if min_price is not None and product.price < min_price:
            return False
        if max_price is not None and product.price > max_price:
            return False
    return True


def filter_ranked(ranked: Sequence[RankedProduct], *, price: tuple[float, float] | None = None,
                  shops: Collection[str] = (), in_stock_only: bool = False) -> list[RankedProduct]:
    """The Shop page's filters on a search's results: a price range, shops (by name), stock.

    Unlike `search_text`'s price filter, products without a price are kept: their shop gave none.
    """
    low, high = price if price is not None else (None, None)
    return [r for r in ranked
            if (not shops or (r.product.shop or r.product.source) in shops)
            and (not in_stock_only or r.product.availability == "in_stock")
            and (r.product.price is None or low is None or low <= r.product.price <= (high or r.product.price))]
