"""Garments from a detected pose: which regions hold which garment, their colors, and their boxes.

The regions come from `relookx.vision.regions`; this module decides what they are by color: an
upper body whose middle strip differs from both of its sides is an open outer layer over a top, a
top that continues over the thighs onto bare shins is a dress, a tall non-skin crown is a hat.
Skin is measured on the face and removed from every region before colors are read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from relookx.fashion.colors import delta_e, hex_to_lab, hex_to_name
from relookx.garments import normalize_garment
from relookx.vision.base import Box, GarmentDraft
from relookx.vision.colorstats import (
    RegionColor,
    color_clusters,
    hex_of,
    looks_like_skin,
    region_color,
    share_near,
    skin_mask,
)
from relookx.vision.pose import PoseResult
from relookx.vision.regions import BodyRegions, body_regions

NAMES = {"top": "top", "outerwear": "jacket", "bottom": "bottom", "dress": "dress", "footwear": "shoes",
         "headwear": "hat", "bag": "bag"}
WHERE = {"top": "upper-body", "outerwear": "outer layer (torso sides and arms)", "bottom": "hips-to-ankles",
         "dress": "shoulders-to-legs", "footwear": "feet", "headwear": "crown of the head", "bag": "bag"}
MAX_CONFIDENCE = {"top": 0.6, "outerwear": 0.5, "bottom": 0.55, "dress": 0.45, "footwear": 0.45,
                  "headwear": 0.35, "bag": 0.3}
TYPICAL_PRICES = {"top": 25.0, "outerwear": 80.0, "bottom": 40.0, "dress": 50.0, "footwear": 60.0,
                  "headwear": 20.0, "bag": 45.0}
OPEN_LAYER_DELTA = 18.0  # CIEDE2000 between the middle strip and the sides for an open jacket
OPEN_LAYER_SHARE = 0.12  # of the middle strip: a shirt between lapels is a narrow band
SAME_SIDES_DELTA = 14.0  # the two sides of an open jacket have one color
DRESS_DELTA = 10.0
HAT_CROWN_RATIO = 1.05  # a bare head rises about 0.8-1.0 ear-to-ear widths above the eyes
BAG_DELTA = 15.0
HAIR_CHROMA = 12.0
FOREHEAD_SKIN = 0.5
HAIR_LIGHTNESS = 35.0
MIN_PIXELS = 40
INNER_TOP = "top_inner"  # the key of garment_boxes for a top under an outer layer


@dataclass
class Piece:
    """One garment found on the pose: its category, where it is and what color it has."""

    category: str
    mask: np.ndarray
    color: RegionColor
    confidence: float
    detail: str = ""


def _skin_color(arr: np.ndarray, regions: BodyRegions) -> np.ndarray | None:
    if regions.face is None or regions.face.sum() < 12:
        return None
    color = np.median(arr[regions.face], axis=0)
    return color if looks_like_skin(color) else None


def box_of(mask: np.ndarray, pad: float = 0.06) -> Box | None:
    """The bounding box of a mask, padded by `pad` of its size on each side, clipped to the image."""
    ys, xs = np.nonzero(mask)
    if not len(ys):
        return None
    h, w = mask.shape
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    py, px = round((y1 - y0) * pad), round((x1 - x0) * pad)
    return (max(0, x0 - px), max(0, y0 - py), min(w, x1 + px), min(h, y1 + py))


class _Reader:
    """Reads garment colors from the regions of one pose, with skin removed."""

    def __init__(self, pose: PoseResult, regions: BodyRegions) -> None:
        self.arr = pose.pixels
        self.regions = regions
        self.skin_color = _skin_color(self.arr, regions)
        self.skin = skin_mask(self.arr, self.skin_color)
        self.visibility = float(np.mean([k.visibility for k in pose.keypoints.values()
                                         if k.visibility >= 0.5] or [0.5]))

    def cloth(self, mask: np.ndarray) -> np.ndarray:
        """The mask without skin; all of it when it is mostly "skin" (a nude or beige garment)."""
        kept = mask & ~self.skin
        return kept if kept.sum() >= 0.3 * mask.sum() else mask

    def skin_share(self, mask: np.ndarray | None) -> float:
        if mask is None or not mask.any() or self.skin_color is None:
            return 0.0
        return float((mask & self.skin).sum() / mask.sum())

    def piece(self, category: str, mask: np.ndarray | None, quality: float = 1.0, detail: str = "") -> Piece | None:
        if mask is None or mask.sum() < MIN_PIXELS:
            return None
        cloth = self.cloth(mask)
        color = region_color(self.arr, cloth)
        if color is None:
            return None
        confidence = MAX_CONFIDENCE[category] * quality * (0.6 + 0.4 * color.share) * min(1.0, self.visibility + 0.1)
        return Piece(category, cloth, color, round(min(MAX_CONFIDENCE[category], confidence), 2), detail)


def _open_layer(reader: _Reader, centre: np.ndarray, sides: np.ndarray) -> tuple[Piece, Piece] | None:
    """A top showing between the two halves of an open outer layer: a color of the torso's middle
    strip that the sides and arms do not have, while both sides share one color."""
    outer = reader.piece("outerwear", sides)
    cols = np.nonzero(centre.any(axis=0))[0]
    split = int(cols.mean()) if len(cols) else sides.shape[1] // 2
    left, right = sides.copy(), sides.copy()
    left[:, split:], right[:, :split] = False, False
    lc, rc = reader.piece("outerwear", left), reader.piece("outerwear", right)
    if outer is None or lc is None or rc is None or delta_e(lc.color.hex, rc.color.hex) > SAME_SIDES_DELTA:
        return None
    middle = reader.cloth(centre)
    side_pixels = reader.arr[outer.mask]
    for color, share in color_clusters(reader.arr[middle]):
        if share < OPEN_LAYER_SHARE or delta_e(hex_of(color), outer.color.hex) <= OPEN_LAYER_DELTA:
            continue
        if share_near(side_pixels, color) >= 0.1:
            continue
        near = middle & (np.linalg.norm(reader.arr - color, axis=2) < 40)
        top = reader.piece("top", near)
        return (top, outer) if top else None
    return None


def _upper(reader: _Reader, notes: list[str]) -> list[Piece]:
    regions = reader.regions
    if regions.upper is None:
        return []
    centre, sides = regions.centre, regions.sides
    if centre is not None and sides is not None and centre.sum() >= MIN_PIXELS and sides.sum() >= 2 * MIN_PIXELS:
        layered = _open_layer(reader, centre, sides)
        if layered is not None:
            notes.append("The middle of the torso shows a color that the sides and arms do not have: read as "
                         "an open outer layer over a top.")
            return list(layered)
    top = reader.piece("top", regions.upper)
    return [top] if top else []


def _lower(reader: _Reader, upper: list[Piece], notes: list[str]) -> list[Piece]:
    regions = reader.regions
    if regions.lower is None:
        return []
    quality = 0.7 if regions.legs_cut else 1.0
    bottom = reader.piece("bottom", regions.thighs if regions.thighs is not None else regions.lower, quality)
    if bottom is None:
        return []
    bare_shins = regions.shins is not None and reader.skin_share(regions.shins) > 0.5
    top = upper[0] if len(upper) == 1 else None
    if top is not None and bare_shins and delta_e(top.color.hex, bottom.color.hex) < DRESS_DELTA:
        upper.clear()
        merged = (regions.upper if regions.upper is not None else top.mask) | (
            regions.thighs if regions.thighs is not None else regions.lower)
        dress = reader.piece("dress", merged)
        return [dress] if dress else []
    if regions.legs_cut:
        notes.append("The photo ends above the knees: the bottom is only partly visible.")
    if not bare_shins and regions.shins is not None:
        bottom = reader.piece("bottom", regions.lower, quality) or bottom
    elif bare_shins:
        bottom.detail = "the shins are bare: a skirt or shorts"
    if top is not None and delta_e(top.color.hex, bottom.color.hex) < DRESS_DELTA:
        notes.append("Top and bottom look the same color; it could also be a jumpsuit or one piece.")
    return [bottom]


def find_pieces(pose: PoseResult) -> tuple[list[Piece], list[str]]:
    """The garments on the pose's person, and notes on what was assumed."""
    notes: list[str] = []
    if pose.people > 1:
        notes.append(f"{pose.people} people are on this photo: the largest one was analysed.")
    regions = body_regions(pose.keypoints, pose.mask > 0.5)
    if regions is None:
        notes.append("A person was found but neither shoulders nor hips show, so no garment could be placed.")
        return [], notes
    reader = _Reader(pose, regions)
    if reader.skin_color is None:
        notes.append("No face skin tone could be measured, so skin is not removed from garment colors.")
    upper = _upper(reader, notes)
    lower = _lower(reader, upper, notes)
    pieces = [*upper, *lower]
    if regions.lower is None:
        notes.append("No legs are visible: no bottom or shoes are reported.")
    elif regions.feet is None:
        notes.append("The feet are not visible: no shoes are reported.")
    feet = reader.piece("footwear", regions.feet)
    if feet:
        pieces.append(feet)
    hat = _hat(reader)
    if hat:
        pieces.append(hat)
    bag = reader.piece("bag", regions.bag)
    if bag and all(delta_e(bag.color.hex, p.color.hex) > BAG_DELTA for p in pieces if p.category != "footwear"):
        pieces.append(bag)  # a blob colored like the clothes is more likely a sleeve or a coat's tail
    return pieces, notes


def _hat(reader: _Reader) -> Piece | None:
    """A hat: the crown rises high above the eyes and covers the forehead (a bare forehead is skin)."""
    regions = reader.regions
    if regions.head_top is None or regions.crown_ratio < HAT_CROWN_RATIO or reader.skin_color is None:
        return None
    if reader.skin_share(regions.forehead) > FOREHEAD_SKIN:
        return None
    hat = reader.piece("headwear", regions.head_top, detail="it could also be hair")
    if hat is None or delta_e(hat.color.hex, hex_of(reader.skin_color)) < 12:
        return None
    hair = reader.piece("headwear", regions.temples)
    if hair is not None and hair.mask.sum() >= MIN_PIXELS and _same_hue(hair.color.hex, hat.color.hex):
        return None  # the crown has the hue of the hair beside the ears (shading aside): it is hair
    return hat


def _same_hue(a: str, b: str) -> bool:
    """Close in chroma (Lab a*, b*) and not far in lightness: one material, lit differently."""
    la, lb = hex_to_lab(a), hex_to_lab(b)
    return math.hypot(la[1] - lb[1], la[2] - lb[2]) < HAIR_CHROMA and abs(la[0] - lb[0]) < HAIR_LIGHTNESS


def to_draft(piece: Piece) -> GarmentDraft:
    """A garment record for one piece (names from the everyday palette, typical prices)."""
    color = piece.color
    color_name = hex_to_name(color.hex)
    noun = NAMES[piece.category]
    pattern = color.pattern if color.pattern != "patterned" else "patterned/multicolor"
    description = f"Dominant color covers {color.share:.0%} of the {WHERE[piece.category]} region"
    if color.second_hex and color.second_share >= 0.2:
        description += f"; next color {hex_to_name(color.second_hex)} ({color.second_share:.0%})"
    if piece.detail:
        description += f"; {piece.detail}"
    return normalize_garment(GarmentDraft(
        name=f"{color_name.capitalize()} {'striped ' if color.pattern == 'striped' else ''}{noun}",
        category=piece.category,
        color_name=color_name,
        color_hex=color.hex,
        pattern=pattern,
        price=TYPICAL_PRICES[piece.category],
        price_text=f"typical price for a {noun} (offline guess)",
        description=description + " (offline pose model and color measurement).",
        confidence=piece.confidence,
    ))


def scale_box(box: Box | None, factor: float, size: tuple[int, int]) -> Box | None:
    """A box of the working copy in pixels of the original photo of `size`."""
    if box is None:
        return None
    x0, y0, x1, y1 = box
    w, h = size
    return (max(0, int(x0 * factor)), max(0, int(y0 * factor)), min(w, round(x1 * factor)), min(h, round(y1 * factor)))


def garment_boxes(pose: PoseResult, size: tuple[int, int]) -> dict[str, Box]:
    """Where each garment category would sit on the photo of `size`, from the body regions alone.

    For garments another analyzer recognised (Mistral): their crops only need the place, so no color
    is read here, which keeps this cheap next to the pose model itself.
    """
    regions = body_regions(pose.keypoints, pose.mask > 0.5)
    if regions is None:
        return {}
    factor = size[0] / pose.size[0]
    places = {"top": regions.upper, "outerwear": regions.upper, "bottom": regions.lower, "footwear": regions.feet,
              "headwear": regions.head_top, "bag": regions.bag,
              INNER_TOP: regions.centre}  # a top worn under an outer layer shows in the middle
    if regions.upper is not None and regions.lower is not None:
        places["dress"] = regions.upper | regions.lower
    else:
        places["dress"] = regions.upper
    boxes: dict[str, Box] = {}
    for category, mask in places.items():
        box = scale_box(box_of(mask), factor, size) if mask is not None else None
        if box is not None:
            boxes[category] = box
    return boxes
