"""Inpaint masks (white = repaint) for the region a piece occupies, drawn from pose keypoints."""

from __future__ import annotations

import math
import re

from PIL import Image, ImageDraw, ImageFilter

from relookx.garments import CATEGORIES, normalize_category
from relookx.preview.pose import Pose

Point = tuple[float, float]

REGIONS = ("torso_arms", "torso_legs", "hips_ankles", "feet", "head", "neck", "waist", "hand_shoulder")
CATEGORY_REGIONS = {
    "top": "torso_arms", "outerwear": "torso_arms", "dress": "torso_legs", "bottom": "hips_ankles",
    "footwear": "feet", "headwear": "head", "bag": "hand_shoulder",
}
# Accessories are told apart by the piece's name; the first matching word wins.
ACCESSORY_WORDS = (
    ("waist", ("belt", "sash", "cummerbund")),
    ("hand_shoulder", ("bag", "handbag", "purse", "tote", "clutch", "backpack", "satchel", "watch", "bracelet",
                       "glove", "gloves", "ring", "umbrella")),
    ("head", ("hat", "cap", "beanie", "beret", "headband", "glasses", "sunglasses", "earring", "earrings",
              "hair")),
    ("neck", ("scarf", "scarves", "necklace", "choker", "tie", "bowtie", "pendant", "collar", "shawl", "stole")),
)
# Where each region sits on a centred, standing, full-body photo: (x0, y0, x1, y1) fractions of the image.
FALLBACK_BOXES = {
    "head": (0.35, 0.03, 0.65, 0.14), "neck": (0.38, 0.12, 0.62, 0.22), "torso_arms": (0.2, 0.15, 0.8, 0.55),
    "torso_legs": (0.2, 0.15, 0.8, 0.8), "hips_ankles": (0.28, 0.45, 0.72, 0.92), "feet": (0.25, 0.85, 0.75, 1.0),
    "waist": (0.28, 0.45, 0.72, 0.53), "hand_shoulder": (0.12, 0.15, 0.45, 0.65),
}
REQUIRED = {
    "torso_arms": ("right_shoulder", "left_shoulder", "right_hip", "left_hip"),
    "torso_legs": ("right_shoulder", "left_shoulder", "right_hip", "left_hip", "right_knee", "left_knee"),
    "hips_ankles": ("right_hip", "left_hip", "right_knee", "left_knee"),
    "waist": ("right_hip", "left_hip"),
    "neck": ("neck",),
}


def region_for(category: str, piece_name: str = "") -> str:
    """The body region a piece of this category covers; accessories are told apart by their name."""
    cat = category.lower().strip()
    if cat not in CATEGORIES:
        cat = normalize_category(category)
    words = set(re.findall(r"[a-z]+", piece_name.lower()))
    if cat in ("accessory", "other"):
        for region, names in ACCESSORY_WORDS:
            if words & set(names):
                return region
        if cat == "other" and piece_name:
            named = normalize_category(piece_name)
            if named in CATEGORY_REGIONS:
                return CATEGORY_REGIONS[named]
        return "neck" if cat == "accessory" else "torso_arms"
    return CATEGORY_REGIONS.get(cat, "torso_arms")


def build_mask(pose: Pose | None, category: str, size: tuple[int, int], *, piece_name: str = "",
               feather: float = 0.0) -> tuple[Image.Image, list[str]]:
    """A mode "L" mask of `size` (white = repaint) over the piece's region, and notes on any guesswork."""
    region = region_for(category, piece_name)
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    notes: list[str] = []
    drawn = False
    if pose is None:
        notes.append(f"No person was found in the photo: the {region.replace('_', ' ')} region is a box guessed "
                     "from the image's proportions (a standing, centred person).")
    else:
        scaled = _scaled(pose, size)
        unit = body_unit(scaled)
        missing = [n for n in REQUIRED.get(region, ()) if scaled.point(n) is None]
        if unit is None or missing:
            notes.append(f"The pose lacks {', '.join(missing) or 'a body scale'}: the "
                         f"{region.replace('_', ' ')} region is a box guessed from the image's proportions.")
        else:
            drawn = _DRAWERS[region](draw, scaled, unit)
            if not drawn:
                notes.append(f"The pose lacks the keypoints of the {region.replace('_', ' ')}: the region is a "
                             "box guessed from the image's proportions.")
    if not drawn:
        x0, y0, x1, y1 = FALLBACK_BOXES[region]
        w, h = size
        draw.rectangle([x0 * w, y0 * h, x1 * w, y1 * h], fill=255)
    if feather > 0:
        mask = mask.filter(ImageFilter.GaussianBlur(feather))
    return mask, notes


def _scaled(pose: Pose, size: tuple[int, int]) -> Pose:
    """The pose in the mask's pixels (the mask may be drawn at another size than the photo)."""
    if (pose.width, pose.height) == size or not pose.width or not pose.height:
        return pose
    fx, fy = size[0] / pose.width, size[1] / pose.height
    return Pose({k: (x * fx, y * fy, c) for k, (x, y, c) in pose.keypoints.items()}, size[0], size[1])


def _dist(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _mid(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def body_unit(pose: Pose) -> float | None:
    """The body's scale in pixels (about the shoulder width), from whichever keypoints were found."""
    p = pose.point
    rs, ls, rh, lh, neck = p("right_shoulder"), p("left_shoulder"), p("right_hip"), p("left_hip"), p("neck")
    if rs and ls and _dist(rs, ls) > 1:
        return _dist(rs, ls)
    if rh and lh and _dist(rh, lh) > 1:
        return 1.6 * _dist(rh, lh)
    hip = rh or lh
    if neck and hip:
        return 0.6 * _dist(neck, hip)
    re_, le = p("right_ear"), p("left_ear")
    if re_ and le and _dist(re_, le) > 1:
        return 2.5 * _dist(re_, le)
    return None


def _capsule(draw: ImageDraw.ImageDraw, a: Point, b: Point, radius: float) -> None:
    """A thick segment with round ends: a limb with its sleeve or trouser leg."""
    draw.line([a, b], fill=255, width=max(1, round(2 * radius)))
    for x, y in (a, b):
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)


def _grown(points: list[Point], pad_x: float, pad_top: float, pad_bottom: float) -> list[Point]:
    """Polygon corners pushed away from their centre by the padding."""
    cx = sum(x for x, _ in points) / len(points)
    cy = sum(y for _, y in points) / len(points)
    return [(x + math.copysign(pad_x, x - cx), y - pad_top if y < cy else y + pad_bottom) for x, y in points]


def _draw_torso_arms(draw: ImageDraw.ImageDraw, pose: Pose, unit: float) -> bool:
    p = pose.point
    rs, ls, rh, lh = p("right_shoulder"), p("left_shoulder"), p("right_hip"), p("left_hip")
    assert rs and ls and rh and lh  # REQUIRED checked them
    pad = 0.18 * unit
    draw.polygon(_grown([rs, ls, lh, rh], pad, pad, 0.5 * pad), fill=255)
    neck = p("neck")
    if neck:
        draw.ellipse([neck[0] - 0.3 * unit, neck[1] - 0.12 * unit, neck[0] + 0.3 * unit, neck[1] + 0.3 * unit],
                     fill=255)
    for side in ("right", "left"):
        shoulder, elbow, wrist = p(f"{side}_shoulder"), p(f"{side}_elbow"), p(f"{side}_wrist")
        assert shoulder
        if elbow:
            _capsule(draw, shoulder, elbow, 0.22 * unit)
            if wrist:
                _capsule(draw, elbow, wrist, 0.2 * unit)
        else:  # the arm was not found: cover the upper arm's likely place beside the torso
            _capsule(draw, shoulder, (shoulder[0], shoulder[1] + 0.9 * unit), 0.22 * unit)
    return True


def _leg_points(pose: Pose, side: str, unit: float) -> tuple[Point, Point, Point]:
    p = pose.point
    hip, knee, ankle = p(f"{side}_hip"), p(f"{side}_knee"), p(f"{side}_ankle")
    assert hip and knee
    if ankle is None:  # below the frame or hidden: the shin is about as long as the thigh
        ankle = (2 * knee[0] - hip[0], 2 * knee[1] - hip[1])
    return hip, knee, ankle


def _draw_legs(draw: ImageDraw.ImageDraw, pose: Pose, unit: float, *, down_to: float, flare: float = 0.18) -> None:
    """Hips to `down_to` (0 = knees, 1 = ankles) as one garment, the gap between the legs included.

    `flare` (in body units) is the padding beside the knees and the hem: wider for a skirt than trousers.
    """
    pad, hem = 0.18 * unit, flare * unit
    rh, rk, ra = _leg_points(pose, "right", unit)
    lh, lk, la = _leg_points(pose, "left", unit)
    top = min(rh[1], lh[1]) - 0.12 * unit

    def at(knee: Point, ankle: Point) -> Point:
        return (knee[0] + down_to * (ankle[0] - knee[0]), knee[1] + down_to * (ankle[1] - knee[1]))

    r_end, l_end = at(rk, ra), at(lk, la)
    bottom_pad = 0.04 * unit if down_to >= 1 else 0.1 * unit
    side = -1.0 if rh[0] <= lh[0] else 1.0  # the person's right is on the image's left when they face us
    poly = [(rh[0] + side * pad, top), (lh[0] - side * pad, top), (lk[0] - side * hem, lk[1]),
            (l_end[0] - side * hem, l_end[1] + bottom_pad), (r_end[0] + side * hem, r_end[1] + bottom_pad),
            (rk[0] + side * hem, rk[1])]
    draw.polygon(poly, fill=255)


def _draw_torso_legs(draw: ImageDraw.ImageDraw, pose: Pose, unit: float) -> bool:
    _draw_torso_arms(draw, pose, unit)
    _draw_legs(draw, pose, unit, down_to=0.4, flare=0.45)
    return True


def _draw_hips_ankles(draw: ImageDraw.ImageDraw, pose: Pose, unit: float) -> bool:
    _draw_legs(draw, pose, unit, down_to=1.0)
    return True


def _draw_feet(draw: ImageDraw.ImageDraw, pose: Pose, unit: float) -> bool:
    drawn = False
    for side in ("right", "left"):
        ankle = pose.point(f"{side}_ankle")
        if ankle is None:
            continue
        pts = [ankle] + [q for q in (pose.point(f"{side}_{n}") for n in ("big_toe", "small_toe", "heel")) if q]
        x0 = min(x for x, _ in pts) - 0.3 * unit
        x1 = max(x for x, _ in pts) + 0.3 * unit
        y0 = ankle[1] - 0.12 * unit
        y1 = max(y for _, y in pts) + 0.35 * unit
        draw.rounded_rectangle([x0, y0, x1, y1], radius=0.1 * unit, fill=255)
        drawn = True
    return drawn


def _draw_head(draw: ImageDraw.ImageDraw, pose: Pose, unit: float) -> bool:
    p = pose.point
    face = [q for q in (p("nose"), p("right_eye"), p("left_eye"), p("right_ear"), p("left_ear")) if q]
    if not face:
        return False
    cx = sum(x for x, _ in face) / len(face)
    eyes = [q for q in (p("right_eye"), p("left_eye")) if q]
    eye_y = sum(y for _, y in eyes) / len(eyes) if eyes else min(y for _, y in face) - 0.05 * unit
    # A hat sits from above the crown down to the eyebrows; its brim is wider than the head.
    draw.ellipse([cx - 0.4 * unit, eye_y - 0.55 * unit, cx + 0.4 * unit, eye_y + 0.02 * unit], fill=255)
    draw.rectangle([cx - 0.4 * unit, eye_y - 0.3 * unit, cx + 0.4 * unit, eye_y - 0.02 * unit], fill=255)
    return True


def _draw_neck(draw: ImageDraw.ImageDraw, pose: Pose, unit: float) -> bool:
    neck = pose.point("neck")
    assert neck
    nose = pose.point("nose")
    top = neck[1] - (0.6 * (neck[1] - nose[1]) if nose and nose[1] < neck[1] else 0.3 * unit)
    draw.ellipse([neck[0] - 0.32 * unit, top, neck[0] + 0.32 * unit, neck[1] + 0.22 * unit], fill=255)
    return True


def _draw_waist(draw: ImageDraw.ImageDraw, pose: Pose, unit: float) -> bool:
    rh, lh = pose.point("right_hip"), pose.point("left_hip")
    assert rh and lh
    x0, x1 = min(rh[0], lh[0]) - 0.2 * unit, max(rh[0], lh[0]) + 0.2 * unit
    y = (rh[1] + lh[1]) / 2
    draw.rectangle([x0, y - 0.22 * unit, x1, y + 0.03 * unit], fill=255)
    return True


def _draw_hand_shoulder(draw: ImageDraw.ImageDraw, pose: Pose, unit: float) -> bool:
    p = pose.point
    for side in ("right", "left"):
        shoulder = p(f"{side}_shoulder")
        if shoulder is None:
            continue
        hand = p(f"{side}_wrist") or p(f"{side}_hip") or (shoulder[0], shoulder[1] + 1.5 * unit)
        _capsule(draw, shoulder, hand, 0.2 * unit)
        # The bag hangs from the hand (or the shoulder strap) beside the body.
        draw.ellipse([hand[0] - 0.3 * unit, hand[1] - 0.15 * unit, hand[0] + 0.3 * unit, hand[1] + 0.45 * unit],
                     fill=255)
        return True
    return False


_DRAWERS = {
    "torso_arms": _draw_torso_arms, "torso_legs": _draw_torso_legs, "hips_ankles": _draw_hips_ankles,
    "feet": _draw_feet, "head": _draw_head, "neck": _draw_neck, "waist": _draw_waist,
    "hand_shoulder": _draw_hand_shoulder,
}
