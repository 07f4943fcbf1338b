"""What the stylist, the shop and the preview share: an outfit item, a recommended piece, reading a typed piece.

`OutfitItem` is a garment as the services see it, `Piece` the one new piece a stylist recommends, and
`piece_from_text` reads a typed piece ("red beanie") into a `Piece`: its color and category when the text
names them. The color science itself is in `relookx.fashion.colors`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from relookx.fashion.colors import COLORS
from relookx.garments import normalize_category
from relookx.models import Garment, Item, Recommendation

_WORD_RE = re.compile(r"[^\W_]+")
_COLOR_KEYS = {re.sub(r"[\s\-_]+", " ", name.lower()).replace("gray", "grey"): hex_ for name, hex_ in COLORS.items()}
_COLOR_WORDS = frozenset(word for key in _COLOR_KEYS for word in key.split() if len(key.split()) == 1)
# Words that are also CSS color names but mean a material or a garment on a shop.
_NOT_COLORS = frozenset(("linen", "moccasin", "snow"))  # "snow boots" are not white


@dataclass
class OutfitItem:
    """One garment of the outfit being critiqued (from the store)."""

    name: str
    category: str
    color_name: str
    color_hex: str
    pattern: str = ""
    material: str = ""
    fit: str = ""
    price: float | None = None
    context: str = ""
    description: str = ""


@dataclass
class Piece:
    """The one new piece the stylist recommends."""

    name: str
    category: str
    color_name: str
    color_hex: str
    fit: str = ""
    price: float | None = None
    context: str = ""
    description: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)


def color_in(text: str) -> tuple[str, str] | None:
    """The first color named in a text, longest name first: ("navy blue", "#202a44") or None."""
    words = re.sub(r"[\-_]+", " ", (text or "").lower()).replace("gray", "grey")
    words_list = _WORD_RE.findall(words)
    for size in (3, 2, 1):
        for i in range(len(words_list) - size + 1):
            phrase = " ".join(words_list[i:i + size])
            if phrase in _NOT_COLORS or (size == 1 and normalize_category(phrase) != "other"):
                continue
            hex_ = _COLOR_KEYS.get(phrase) or _COLOR_KEYS.get(phrase.replace(" ", ""))
            if hex_:
                return phrase, hex_
    return None


def is_color_word(token: str) -> bool:
    """True for a single-word color name ("burgundy", "navy"), which the text part leaves to the color part."""
    return token in _COLOR_WORDS and token not in _NOT_COLORS


def piece_from_text(query: str) -> Piece:
    """A free-text search as a piece to rank against: its color and category when the text names them."""
    found = color_in(query)
    category = normalize_category(query)
    return Piece(name=query, category="" if category == "other" else category,
                 color_name=found[0] if found else "", color_hex=found[1] if found else "")


def to_item(garment: Garment | Item) -> OutfitItem:
    """A stored garment (a sighting) or wardrobe item as the stylist sees it."""
    return OutfitItem(
        name=garment.name, category=garment.category, color_name=garment.color_name,
        color_hex=garment.color_hex, pattern=garment.pattern, material=garment.material, fit=garment.fit,
        price=garment.price, context=garment.context, description=garment.description,
    )


def piece_of(rec: Recommendation) -> Piece:
    """The stored piece of a recommendation as a Piece."""
    return Piece(**{k: v for k, v in rec.piece.items() if k in Piece.__dataclass_fields__})
