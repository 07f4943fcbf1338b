"""The records the stylist passes around: constraints, a parsed message, a request, a result.

The outfit item and the piece themselves live in `relookx.fashion.pieces` (shop and preview use them too).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from relookx.fashion.pieces import OutfitItem, Piece

INTENTS = ("recommend", "preview", "shop", "wardrobe_question", "outfit", "chat")
SEASONS = ("spring", "summer", "autumn", "winter")


@dataclass
class Constraints:
    """What the user asked the new piece to be. Every field is optional."""

    category: str | None = None  # one of relookx.garments.CATEGORIES
    garment: str | None = None  # a specific garment word, e.g. "blazer", "sneakers"
    color_name: str | None = None
    color_hex: str | None = None
    max_price: float | None = None
    occasion: str | None = None  # e.g. "party", "work", "wedding"
    season: str | None = None  # one of SEASONS

    def is_empty(self) -> bool:
        """True when the user gave no constraint at all."""
        return not any(asdict(self).values())

    def describe(self) -> str:
        """The constraints in words, e.g. 'a red top for a party, under 80'."""
        parts = []
        if self.color_name:
            parts.append(self.color_name)
        parts.append(self.garment or self.category or "piece")
        text = " ".join(parts)
        if self.occasion:
            text += f" for {self.occasion}"
        if self.season:
            text += f" in {self.season}"
        if self.max_price is not None:
            text += f", under {self.max_price:g}"
        return text


@dataclass
class ParsedMessage:
    """A chat message understood: its intent, the photo it refers to, and its constraints."""

    text: str
    intent: str  # one of INTENTS
    photo_number: int | None = None  # resolved "image 7" / "the last photo"; None = whole wardrobe
    photo_phrase: str = ""  # how the user referred to it ("image 7", "the last photo")
    constraints: Constraints = field(default_factory=Constraints)
    ambiguous: bool = False  # the local parse is unsure: a small model call may settle it
    notes: list[str] = field(default_factory=list)


@dataclass
class StyleRequest:
    """Everything a stylist needs for one recommendation; the rules are chosen before it is asked."""

    query: str
    outfit: list[OutfitItem]  # the garments of the photo, or a sample of the wardrobe when no photo
    wardrobe: list[OutfitItem]  # everything the user owns (never recommend a duplicate of these)
    constraints: Constraints
    color_rule: str  # a key of relookx.stylist.rules.COLOR_RULES
    piece_rule: str  # a key of relookx.stylist.rules.PIECE_RULES
    photo_number: int | None = None
    profile: dict[str, Any] = field(default_factory=dict)  # gender, favourite_color, height_cm, ...
    seed: int = 0


@dataclass
class Harmony:
    """How well the outfit's colors go together, 0-10, with the reasons."""

    score: float
    reasons: list[str]


class Stylist:
    """A stylist backend: writes a critique (streamed), then turns it into one piece."""

    name: str = ""

    def critique(self, request: StyleRequest) -> Any:  # Iterator[str]
        """Yield the critique of the outfit, piece by piece."""
        raise NotImplementedError

    def advise(self, request: StyleRequest, critique: str) -> Piece:
        """The one piece to add, following request.color_rule and request.piece_rule."""
        raise NotImplementedError
