"""Rank shop products against a recommended piece: category, color (CIEDE2000), price, text, stock.

Every product gets a score in 0..1, a weighted sum of five parts scaled down for another category of
garment (CATEGORY_GATE), and its reasons in words ("same
category", "color close to burgundy (ΔE 6)", "within budget (45 of 80 EUR)"). The work is vectorised
with numpy so ten thousand products rank in a few milliseconds; ties keep the input order, so the
result is deterministic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from relookx.fashion.colors import color_to_hex, delta_e_matrix, hex_to_name, lab_array, normalize_hex
from relookx.fashion.pieces import Piece, color_in, is_color_word
from relookx.garments import CATEGORIES, normalize_category
from relookx.shop.types import Product, RankedProduct

WEIGHTS: dict[str, float] = {"category": 0.30, "color": 0.30, "price": 0.15, "text": 0.15, "stock": 0.10}
# A typed search: the words matter most, the category and color the query names come next.
TEXT_WEIGHTS: dict[str, float] = {"category": 0.20, "color": 0.20, "price": 0.05, "text": 0.45, "stock": 0.10}
CATEGORY_GATE = 0.4  # a product of an unrelated category keeps 60 % of its score, a related one 80 %
NEUTRAL = 0.5  # the score of a part that cannot be judged (no color known, no category asked for)
UNKNOWN_PRICE = 0.3  # neutral-low: a product without a price is harder to recommend
COLOR_SCALE = 15.0  # CIEDE2000 at which the color part falls to one half
OVER_BUDGET_SCALE = 0.25  # each 25% over the budget divides the price part by e
STOCK_SCORES: dict[str, float] = {"in_stock": 1.0, "unknown": 0.7, "out_of_stock": 0.0}
CLOSE_DELTA_E = 8.0  # below this the color reads as the same color
SIMILAR_DELTA_E = 20.0  # below this it reads as a near shade

# Categories that can stand in for each other, a little: an overshirt search may show shirts.
_RELATED: dict[frozenset[str], float] = {
    frozenset(("top", "outerwear")): 0.5, frozenset(("top", "dress")): 0.3, frozenset(("bottom", "dress")): 0.3,
    frozenset(("accessory", "bag")): 0.3, frozenset(("accessory", "headwear")): 0.4,
    frozenset(("dress", "outerwear")): 0.2,
}
_CAT_INDEX = {c: i for i, c in enumerate(CATEGORIES)}
_CAT_MATRIX = np.array([[1.0 if a == b else _RELATED.get(frozenset((a, b)), 0.0) for b in CATEGORIES]
                        for a in CATEGORIES])
_CAT_MATRIX[:, _CAT_INDEX["other"]] = 0.2  # a product of unknown kind might still be the thing
_CAT_MATRIX[_CAT_INDEX["other"], _CAT_INDEX["other"]] = 0.2

_STOPWORDS = frozenset(
    "a an the and or of in on for with to by at from this that it its is are be your you our".split()
    + "piece new one will goes go pair look outfit fit fits".split()
)
_WORD_RE = re.compile(r"[^\W_]+")
_TSHIRT_RE = re.compile(r"\bt[\s-]?shirts?\b|\btee[\s-]shirts?\b")


def stem(word: str) -> str:
    """A crude English singular ("dresses" -> "dress", "jeans" -> "jean", "scarves" -> "scarf")."""
    if len(word) <= 3:
        return word
    if word.endswith("ves") and len(word) > 4:
        return word[:-3] + "f"
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("s", "x", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=4096)
def tokenize(text: str) -> tuple[str, ...]:
    """Lowercase word stems of a text without stopwords ("T-shirts in Navy" -> ("tshirt", "navy"))."""
    return _tokenize(text)


def _tokenize(text: str) -> tuple[str, ...]:
    lowered = _TSHIRT_RE.sub("tshirt", (text or "").lower())
    return tuple(stem(w) for w in _WORD_RE.findall(lowered) if w not in _STOPWORDS)


@lru_cache(maxsize=65536)
def product_tokens(name: str, description: str) -> frozenset[str]:
    """The token set of a product's name and description (cached: catalogs are ranked again and again)."""
    return frozenset(_tokenize(f"{name} {description}"))


def product_hex(product: Product) -> str | None:
    """The product's "#rrggbb": its own, else from its color name, else from a color word in its name."""
    return _hex_of(product.color_hex, product.color, product.name)


@lru_cache(maxsize=65536)
def _hex_of(color_hex: str, color: str, name: str) -> str | None:
    hex_ = normalize_hex(color_hex) or color_to_hex(color)
    if hex_ is None:
        found = color_in(name)
        hex_ = found[1] if found else None
    return hex_


def product_category(product: Product) -> str:
    """The product's category, derived from its name when the shop gives none."""
    if product.category in _CAT_INDEX and product.category != "other":
        return product.category
    derived = normalize_category(product.category) if product.category else "other"
    return derived if derived != "other" else normalize_category(product.name)


def _money(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.005 else f"{value:.2f}"


def _category_part(piece_cat: str, cats: list[str]) -> np.ndarray:
    if piece_cat not in _CAT_INDEX or piece_cat == "other":
        return np.full(len(cats), NEUTRAL)
    part: np.ndarray = _CAT_MATRIX[_CAT_INDEX[piece_cat]][np.array([_CAT_INDEX[c] for c in cats], dtype=int)]
    return part


def _color_part(piece_hex: str | None, hexes: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """The color part and the CIEDE2000 per product (nan when unknown)."""
    n = len(hexes)
    dist = np.full(n, np.nan)
    if piece_hex is None:
        return np.full(n, NEUTRAL), dist
    unique: dict[str, int] = {}
    idx = np.array([unique.setdefault(h, len(unique)) if h else -1 for h in hexes], dtype=int)
    if unique:
        d = delta_e_matrix(lab_array([piece_hex]), lab_array(list(unique)))[0]
        known = idx >= 0
        dist[known] = d[idx[known]]
    part = np.where(np.isnan(dist), NEUTRAL, 1.0 / (1.0 + (np.nan_to_num(dist) / COLOR_SCALE) ** 2))
    return part, dist


def _price_part(reference: float | None, prices: np.ndarray) -> np.ndarray:
    known = ~np.isnan(prices)
    if reference is None or reference <= 0:
        return np.where(known, NEUTRAL, UNKNOWN_PRICE)
    over = np.clip(np.nan_to_num(prices) / reference - 1.0, 0.0, None)
    return np.where(known, np.exp(-over / OVER_BUDGET_SCALE), UNKNOWN_PRICE)


def _text_part(piece: Piece, texts: list[frozenset[str]]) -> tuple[np.ndarray, list[str]]:
    """Weighted token overlap (smoothed IDF over the candidates) and the piece-name words it matches on."""
    color_tokens = set(tokenize(piece.color_name))
    name_q = [t for t in dict.fromkeys(tokenize(piece.name)) if t not in color_tokens and not is_color_word(t)]
    desc_q = [t for t in dict.fromkeys(tokenize(piece.description)) if t not in name_q and not is_color_word(t)]
    query = set(name_q) | set(desc_q)
    n = len(texts)
    if not query or not n:
        return np.zeros(n), name_q
    matched = [query.intersection(toks) for toks in texts]
    df: dict[str, int] = {}
    for m in matched:
        for t in m:
            df[t] = df.get(t, 0) + 1
    idf = {t: math.log((n + 1) / (df.get(t, 0) + 1)) + 1.0 for t in query}
    name_total = sum(idf[t] for t in name_q)
    desc_total = sum(idf[t] for t in desc_q)
    name_w = 0.8 if desc_total else 1.0
    scores = np.zeros(n)
    for i, m in enumerate(matched):
        if m:
            s = name_w * sum(idf[t] for t in name_q if t in m) / name_total if name_total else 0.0
            if desc_total:
                s += (1 - name_w) * sum(idf[t] for t in desc_q if t in m) / desc_total
            scores[i] = s
    return scores, name_q


def rank(piece: Piece, products: Sequence[Product], *, budget: float | None = None, limit: int = 10,
         weights: Mapping[str, float] = WEIGHTS) -> list[RankedProduct]:
    """The best `limit` products for the piece, best first, each with a 0..1 score and its reasons.

    `weights` (summing to 1) weigh the parts: "category", "color", "price", "text" and "stock".
    """
    if not products or limit <= 0:
        return []
    piece_hex = normalize_hex(piece.color_hex) or color_to_hex(piece.color_name)
    piece_cat = piece.category if piece.category in _CAT_INDEX else normalize_category(piece.category or piece.name)
    reference = budget if budget is not None else piece.price
    cats = [product_category(p) for p in products]
    hexes = [_hex_of(p.color_hex, p.color, p.name) for p in products]
    prices = np.array([np.nan if p.price is None else p.price for p in products], dtype=float)
    stock = np.array([STOCK_SCORES.get(p.availability, STOCK_SCORES["unknown"]) for p in products])
    texts = [product_tokens(p.name, p.description) for p in products]

    cat_part = _category_part(piece_cat, cats)
    color_part, dist = _color_part(piece_hex, hexes)
    price_part = _price_part(reference, prices)
    text_part, name_q = _text_part(piece, texts)
    score = (weights["category"] * cat_part + weights["color"] * color_part + weights["price"] * price_part
             + weights["text"] * text_part + weights["stock"] * stock)
    # Another kind of garment is rarely what was asked for, however close its color: a blazer search
    # shows blazers before a sweater of the exact green, and never a bag before jeans.
    if piece_cat in _CAT_INDEX and piece_cat != "other":
        score = score * (1.0 - CATEGORY_GATE * (1.0 - cat_part))
    order = np.argsort(-np.round(score, 9), kind="stable")[:limit]
    color_label = piece.color_name or (hex_to_name(piece_hex) if piece_hex else "")
    shown_words = {stem(w): w for w in _WORD_RE.findall(piece.name.lower())}
    return [
        RankedProduct(product=products[i], score=round(float(score[i]), 4), reasons=_reasons(
            products[i], piece_cat=piece_cat, cat=cats[i], color_label=color_label, hex_=hexes[i],
            dist=float(dist[i]), reference=reference, from_budget=budget is not None, name_q=name_q,
            shown_words=shown_words))
        for i in order.tolist()
    ]


def _reasons(product: Product, *, piece_cat: str, cat: str, color_label: str, hex_: str | None, dist: float,
             reference: float | None, from_budget: bool, name_q: list[str],
             shown_words: dict[str, str]) -> list[str]:
    """The reasons for one ranked product, in words, positives and negatives alike."""
    reasons: list[str] = []
    if piece_cat in _CAT_INDEX and piece_cat != "other":
        if cat == piece_cat:
            reasons.append("same category")
        elif cat == "other":
            reasons.append("category unknown")
        elif _RELATED.get(frozenset((cat, piece_cat))):
            reasons.append(f"related category ({cat})")
        else:
            reasons.append(f"different category ({cat})")
    if color_label and not math.isnan(dist):
        if dist < CLOSE_DELTA_E:
            reasons.append(f"color close to {color_label} (ΔE {dist:.0f})")
        elif dist < SIMILAR_DELTA_E:
            reasons.append(f"color near {color_label} (ΔE {dist:.0f})")
        else:
            shown = product.color or (hex_to_name(hex_) if hex_ else "another color")
            reasons.append(f"color differs ({shown.lower()}, ΔE {dist:.0f})")
    elif color_label:
        reasons.append("color unknown")
    currency = f" {product.currency}" if product.currency else ""
    if product.price is None:
        reasons.append("no price given")
    elif reference is not None and reference > 0:
        price, ref = _money(product.price), _money(reference)
        if from_budget:
            within = product.price <= reference
            reasons.append(f"within budget ({price} of {ref}{currency})" if within
                           else f"over budget ({price} vs {ref}{currency})")
        elif product.price <= reference:
            reasons.append(f"within the estimated price ({price} of ~{ref}{currency})")
        else:
            reasons.append(f"above the estimated price ({price} vs ~{ref}{currency})")
    text = product_tokens(product.name, product.description)
    hits = [shown_words.get(t, t) for t in name_q if t in text]
    if hits:
        reasons.append(f"name matches '{' '.join(hits)}'")
    if product.availability == "out_of_stock":
        reasons.append("out of stock")
    return reasons
