"""Garment normalisation in one place: categories, colors, prices.

Both analyzers (Mistral and offline) and the store pass their garments through
`normalize_garment`, so the rest of RelookX sees one vocabulary of categories, `#rrggbb`
colors with everyday names, and numeric prices. The color tables and conversions live in
`relookx.fashion.colors`.
"""

from __future__ import annotations

import dataclasses
import math
import re

from relookx.fashion.colors import (
    color_to_hex,
    hex_to_name,
    normalize_hex,
)
from relookx.vision.base import GarmentDraft

__all__ = ["CATEGORIES", "normalize_category", "normalize_garment", "parse_price"]


CATEGORIES: tuple[str, ...] = (
    "top", "bottom", "dress", "outerwear", "footwear", "accessory", "bag", "headwear", "other",
)

# Cardigans count as outerwear: they open at the front and are worn over a top, so an outfit with a
# cardigan still needs a top. Jumpsuits and overalls count as dresses: like a dress they replace both
# the top and the bottom. Vests are tops (the UK meaning, and a waistcoat is worn like one); padded
# gilets are outerwear.
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "top": (
        "top", "t-shirt", "t shirt", "tshirt", "tee", "shirt", "blouse", "sweater", "jumper", "pullover",
        "hoodie", "hoody", "sweatshirt", "polo", "tank", "tank top", "camisole", "cami", "tunic",
        "crop top", "turtleneck", "bodysuit", "vest", "waistcoat", "henley", "jersey", "knit",
        "button-down", "button down", "longsleeve", "long sleeve", "halter", "bralette",
    ),
    "bottom": (
        "bottom", "jeans", "jean", "trousers", "trouser", "pants", "pant", "chinos", "chino", "skirt",
        "shorts", "short", "leggings", "legging", "joggers", "jogger", "sweatpants", "slacks", "culottes",
        "cargos", "cargo pants", "capris", "skort", "tights",
    ),
    "dress": (
        "dress", "gown", "sundress", "jumpsuit", "romper", "playsuit", "overalls", "dungarees", "kaftan",
        "caftan", "sari", "saree", "kimono dress", "maxi dress", "onesie",
    ),
    "outerwear": (
        "outerwear", "jacket", "coat", "blazer", "parka", "cardigan", "trench", "trench coat", "anorak",
        "windbreaker", "puffer", "gilet", "poncho", "cape", "overcoat", "raincoat", "bomber", "shacket",
        "overshirt", "fleece", "peacoat", "duffle coat", "suit jacket", "kimono",
    ),
    "footwear": (
        "footwear", "shoe", "shoes", "sneaker", "sneakers", "trainer", "trainers", "boot", "boots",
        "heel", "heels", "sandal", "sandals", "loafer", "loafers", "flats", "pumps", "pump", "mule",
        "mules", "slipper", "slippers", "espadrille", "espadrilles", "oxford", "oxfords", "brogue",
        "brogues", "clog", "clogs", "slides", "flip-flop", "flip flop", "flip-flops", "stiletto",
        "stilettos", "wedge", "wedges", "moccasin", "moccasins", "derby", "derbies", "ballerinas",
        "converse", "kicks",
    ),
    "headwear": (
        "headwear", "hat", "cap", "beanie", "beret", "fedora", "bucket hat", "baseball cap", "visor",
        "turban", "balaclava", "panama", "trilby", "snapback", "bonnet",
    ),
    "bag": (
        "bag", "handbag", "backpack", "tote", "clutch", "purse", "satchel", "crossbody", "cross-body",
        "briefcase", "duffel", "duffle", "fanny pack", "bumbag", "bum bag", "messenger", "rucksack",
        "shopper", "pouch", "hobo",
    ),
    "accessory": (
        "accessory", "accessories", "belt", "scarf", "watch", "jewelry", "jewellery", "necklace",
        "bracelet", "earring", "earrings", "ring", "sunglasses", "glasses", "eyewear", "tie", "bow tie",
        "bowtie", "gloves", "glove", "mittens", "socks", "sock", "headband", "hair clip", "scrunchie",
        "brooch", "cufflinks", "suspenders", "braces", "bandana", "pendant", "anklet", "shawl", "stole",
        "pocket square", "wallet",
    ),
}

_CATEGORY_INDEX: dict[str, str] = {
    word: category for category, words in _CATEGORY_WORDS.items() for word in words
}


def _lookup_word(word: str) -> str | None:
    if word in _CATEGORY_INDEX:
        return _CATEGORY_INDEX[word]
    # Plural tolerance: "blouses" -> "blouse", "dresses" -> "dress", "scarves" -> "scarf".
    for suffix, replacement in (("es", ""), ("s", ""), ("ves", "f"), ("ies", "y")):
        singular = word[: -len(suffix)] + replacement
        if word.endswith(suffix) and singular in _CATEGORY_INDEX:
            return _CATEGORY_INDEX[singular]
    return None


def normalize_category(text: str) -> str:
    """Map a free-text garment type ("Denim Jackets", "tee") to one of `CATEGORIES` ("other" if unknown)."""
    cleaned = re.sub(r"[^a-z0-9\- ]+", " ", (text or "").lower())
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        return "other"
    found = _lookup_word(cleaned)
    if found:
        return found
    words = cleaned.replace("-", " ").split()
    # The head noun comes last in English ("shirt dress" is a dress, "tank top" a top), so scan
    # from the end, trying two-word names before single words.
    for i in range(len(words) - 1, -1, -1):
        if i > 0:
            pair = f"{words[i - 1]} {words[i]}"
            found = _lookup_word(pair) or _lookup_word(pair.replace(" ", "-"))
            if found:
                return found
        found = _lookup_word(words[i])
        if found:
            return found
    return "other"


# --- Prices ---------------------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"\d+(?:[.,' ]\d+)*(?:\s*[kK]\b)?")
# What may stand between the two numbers of a range once currency marks are removed.
_CURRENCY_RE = re.compile(r"[$€£¥₹]|\b(?:usd|eur|euros?|gbp|chf|dollars?|pounds?|bucks)\b")
_RANGE_SEPARATORS = {"-", "–", "—", "to", "and", "~", "or"}


def _parse_number(token: str) -> float | None:
    token = token.strip()
    multiplier = 1.0
    if token[-1:] in ("k", "K"):
        multiplier, token = 1000.0, token[:-1].strip()
    token = token.replace("'", "").replace(" ", "")
    if "," in token and "." in token:
        # The separator that comes last is the decimal one: "1.299,00" and "1,299.99".
        decimal = "," if token.rfind(",") > token.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        token = token.replace(thousands, "").replace(decimal, ".")
    else:
        for sep in (",", "."):
            if sep not in token:
                continue
            parts = token.split(sep)
            # One separator followed by exactly three digits groups thousands ("1,299", "1.299");
            # otherwise it is a decimal point ("12,50", "0.5"). Repeated separators group thousands.
            if len(parts) > 2 or (len(parts[1]) == 3 and parts[0] not in ("", "0")):
                token = "".join(parts)
            else:
                token = f"{parts[0]}.{parts[1]}"
    try:
        return float(token) * multiplier
    except ValueError:
        return None


def parse_price(text: str | float | None) -> float | None:
    """A price from free text: "$40" -> 40.0, "Estimated $50 - $100" -> 75.0, "€1.299,00" -> 1299.0."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        value = float(text)
        return value if math.isfinite(value) and value >= 0 else None
    s = text.strip().lower()
    matches = list(_NUMBER_RE.finditer(s))
    if not matches:
        return None
    first = _parse_number(matches[0].group())
    if first is None:
        return None
    if len(matches) >= 2:
        between = _CURRENCY_RE.sub("", s[matches[0].end():matches[1].start()]).strip()
        if between in _RANGE_SEPARATORS:
            second = _parse_number(matches[1].group())
            if second is not None:
                return round((first + second) / 2.0, 2)
    return round(first, 2)


# --- Garments -------------------------------------------------------------------------------------


def normalize_garment(d: GarmentDraft) -> GarmentDraft:
    """A cleaned copy: known category, "#rrggbb" color with a lowercase name, a price, 0..1 confidence."""
    fields = {f.name: getattr(d, f.name) for f in dataclasses.fields(d)}
    for key, value in fields.items():
        if isinstance(value, str):
            fields[key] = " ".join(value.split()) if key != "description" else value.strip()
    category = normalize_category(fields["category"])
    color_name = fields["color_name"].lower()
    color_hex = normalize_hex(fields["color_hex"])
    if color_hex is None and normalize_hex(color_name):
        # Models sometimes put the hex code in the name field.
        color_hex, color_name = normalize_hex(color_name), ""
    if color_hex is None:
        color_hex = color_to_hex(color_name)
    if not color_name and color_hex:
        color_name = hex_to_name(color_hex)
    price = parse_price(fields["price"]) if fields["price"] is not None else None
    if price is None:
        price = parse_price(fields["price_text"])
    try:
        confidence = float(fields["confidence"])
    except (TypeError, ValueError):
        confidence = 0.0
    confidence = min(1.0, max(0.0, confidence)) if math.isfinite(confidence) else 0.0
    name = fields["name"] or f"{color_name} {category}".strip()
    return dataclasses.replace(
        d,
        **{
            **fields,
            "name": name[:1].upper() + name[1:],
            "category": category,
            "color_name": color_name,
            # Unknown colors stay "" rather than an invented grey: the UI shows "no color" honestly.
            "color_hex": color_hex or "",
            "price": price,
            "confidence": confidence,
        },
    )
