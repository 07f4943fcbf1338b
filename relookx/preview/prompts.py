"""Deterministic prompts for the preview: the new piece (photo mode) or the whole outfit (new look)."""

from __future__ import annotations

import re
from typing import Any

from relookx.fashion.pieces import OutfitItem, Piece
from relookx.preview.types import PreviewRequest

QUALITY = "photo, realistic fabric texture, natural lighting, sharp focus, high quality, detailed"
NEWLOOK_SETTING = ("standing, front view, whole outfit visible, plain light background, natural lighting, "
                   "sharp focus, high quality, detailed")
NEGATIVE = ("deformed hands, extra fingers, missing fingers, extra limbs, missing limbs, bad anatomy, "
            "disfigured face, distorted body, blurry, lowres, jpeg artifacts, watermark, text, logo, signature, "
            "cropped, out of frame, nsfw, nude")
NEGATIVE_PHOTO = "different person, changed face, changed background"
NEGATIVE_NEWLOOK = "multiple people, cartoon, illustration, 3d render"

# Head to toe, so the prompt reads like a person would describe the outfit.
BODY_ORDER = ("headwear", "outerwear", "top", "dress", "bottom", "footwear", "bag", "accessory", "other")
# What a new piece of a category takes the place of; accessories and other pieces are added.
REPLACES: dict[str, frozenset[str]] = {
    "top": frozenset({"top"}),
    "bottom": frozenset({"bottom", "dress"}),
    "dress": frozenset({"dress", "top", "bottom"}),
    "outerwear": frozenset({"outerwear"}),
    "footwear": frozenset({"footwear"}),
    "headwear": frozenset({"headwear"}),
    "bag": frozenset({"bag"}),
}
GENDERS = {"female": "woman", "woman": "woman", "f": "woman", "male": "man", "man": "man", "m": "man"}
PIECE_WEIGHT = 1.2  # the webui's (text:weight) emphasis on the new piece in a whole-outfit prompt


def clean(text: str) -> str:
    """Text safe in a webui prompt: no attention/LoRA syntax characters, single spaces, trimmed."""
    text = re.sub(r"[()\[\]{}<>:|\\]+", " ", text or "")
    return " ".join(text.replace("\n", " ").split()).strip(" ,")[:120]


def describe(item: OutfitItem | Piece) -> str:
    """A garment in a few words: color, pattern, material, fit and name, without repeating the color."""
    name = clean(item.name) or clean(item.category) or "garment"
    words: list[str] = []
    color = clean(item.color_name)
    if color and color.lower() not in name.lower():
        words.append(color)
    for attr in ("pattern", "material", "fit"):
        value = clean(getattr(item, attr, "") or "")
        if value and value.lower() not in ("solid", "plain", "regular", "none") and value.lower() not in name.lower():
            words.append(value)
    words.append(name)
    return " ".join(words).lower()


def person_word(profile: dict[str, Any]) -> str:
    """"woman", "man" or "person" from the profile's gender; nothing else about the person is guessed."""
    gender = str(profile.get("gender") or "").strip().lower()
    return GENDERS.get(gender, "person")


def outfit_after(garments: list[OutfitItem], piece: Piece) -> list[OutfitItem | Piece]:
    """The outfit with the piece in place of the garments it replaces, in head-to-toe order."""
    replaced = REPLACES.get(piece.category, frozenset())
    kept: list[OutfitItem | Piece] = [g for g in garments if g.category not in replaced]
    kept.append(piece)

    def rank(item: OutfitItem | Piece) -> int:
        return BODY_ORDER.index(item.category) if item.category in BODY_ORDER else len(BODY_ORDER)

    return sorted(kept, key=rank)  # stable: garments keep their order within a category


def build_prompts(request: PreviewRequest) -> tuple[str, str]:
    """The (positive, negative) prompts for the request's mode."""
    piece = request.piece
    if request.mode == "photo":
        positive = f"{describe(piece)}, {QUALITY}"
        return positive, f"{NEGATIVE}, {NEGATIVE_PHOTO}"
    if request.mode != "newlook":
        raise ValueError(f"unknown preview mode {request.mode!r}")
    parts = []
    for item in outfit_after(request.garments, piece):
        text = describe(item)
        parts.append(f"({text}:{PIECE_WEIGHT})" if item is piece else text)
    positive = f"full-body photo of a {person_word(request.profile)} wearing {', '.join(parts)}, {NEWLOOK_SETTING}"
    return positive, f"{NEGATIVE}, {NEGATIVE_NEWLOOK}"
