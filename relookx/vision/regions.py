"""Where garments sit on a body, from pose keypoints and a person mask: pure geometry, no model.

Limbs are drawn as thick lines and the torso as a polygon between shoulders and hips, all scaled by
the shoulder width, then cut by the person mask. Only what the keypoints show is drawn: no legs in
the photo means no bottom and no shoes, and a sitting person's thighs follow their hips and knees.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from relookx.vision.colorstats import largest_component
from relookx.vision.pose import Keypoint

Point = tuple[float, float]
MIN_VISIBILITY = 0.5
SIDES = ("left", "right")


@dataclass
class BodyRegions:
    """Masks (bool, h x w) of the body parts garments cover; None where the photo does not show them."""

    unit: float  # the shoulder width in pixels: the body's scale
    face: np.ndarray | None = None
    upper: np.ndarray | None = None  # torso and arms: top, or top and an open outer layer
    centre: np.ndarray | None = None  # the middle strip of the torso (what an open jacket leaves visible)
    sides: np.ndarray | None = None  # the torso's sides and the arms (an open jacket's color)
    lower: np.ndarray | None = None  # hips down to the ankles (or as far as the photo shows)
    thighs: np.ndarray | None = None
    shins: np.ndarray | None = None
    feet: np.ndarray | None = None
    head_top: np.ndarray | None = None  # above the forehead: a hat, or hair
    crown_ratio: float = 0.0  # how high the person rises above the eyes, in face widths
    forehead: np.ndarray | None = None  # just above the eyebrows: skin on a bare head, covered by a hat
    temples: np.ndarray | None = None  # beside the ears: hair shows there, under a hat or not
    bag: np.ndarray | None = None  # a blob of the person mask that no body part explains
    legs_cut: bool = False  # hips seen but not the knees: the bottom is only partly visible
    notes: list[str] = field(default_factory=list)


def visible(keypoints: Mapping[str, Keypoint], name: str, size: tuple[int, int]) -> Point | None:
    """The keypoint as (x, y) when the model sees it inside the photo, else None."""
    p = keypoints.get(name)
    if p is None or p.visibility < MIN_VISIBILITY:
        return None
    w, h = size
    if not (-0.02 * w <= p.x <= 1.02 * w and -0.02 * h <= p.y <= 1.02 * h):
        return None
    return (p.x, p.y)


def _mid(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def _dist(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _toward(a: Point, b: Point, t: float) -> Point:
    """The point `t` of the way from a to b (t may be negative or above 1)."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


class _Canvas:
    """Draws shapes into a fresh bool mask of the photo's size."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.img = Image.new("L", size, 0)
        self.draw = ImageDraw.Draw(self.img)

    def limb(self, a: Point, b: Point, width: float) -> None:
        self.draw.line([a, b], fill=255, width=max(1, round(width)), joint="curve")
        r = width / 2
        for x, y in (a, b):
            self.draw.ellipse([x - r, y - r, x + r, y + r], fill=255)

    def polygon(self, points: list[Point]) -> None:
        self.draw.polygon(points, fill=255)

    def mask(self) -> np.ndarray:
        return np.asarray(self.img) > 0


def _unit(kp: Mapping[str, Keypoint], size: tuple[int, int]) -> float | None:
    """The shoulder width, or what it would be in a side view (torso length / 1.5)."""
    ls, rs = visible(kp, "left_shoulder", size), visible(kp, "right_shoulder", size)
    lh, rh = visible(kp, "left_hip", size), visible(kp, "right_hip", size)
    width = _dist(ls, rs) if ls and rs else 0.0
    if ls and rs and lh and rh:
        width = max(width, _dist(_mid(ls, rs), _mid(lh, rh)) / 1.5)
    elif lh and rh and not width:
        width = 1.5 * _dist(lh, rh)
    return width if width > 4 else None


def _chin(kp: Mapping[str, Keypoint], size: tuple[int, int]) -> Point | None:
    eyes = [p for p in (visible(kp, "left_eye", size), visible(kp, "right_eye", size)) if p]
    mouth = [p for p in (visible(kp, "mouth_left", size), visible(kp, "mouth_right", size)) if p]
    if len(eyes) < 2 or not mouth:
        return None
    e, m = _mid(eyes[0], eyes[1]), (sum(p[0] for p in mouth) / len(mouth), sum(p[1] for p in mouth) / len(mouth))
    return _toward(e, m, 1.7)


def _torso(kp: Mapping[str, Keypoint], size: tuple[int, int], unit: float) -> tuple[list[Point], list[Point]] | None:
    """The torso polygon and its middle strip, from the collar to the hips (or to where hips would be)."""
    ls, rs = visible(kp, "left_shoulder", size), visible(kp, "right_shoulder", size)
    if not (ls and rs):
        return None
    top = _mid(ls, rs)
    lh, rh = visible(kp, "left_hip", size), visible(kp, "right_hip", size)
    if lh and rh:
        low, hip_half = _mid(lh, rh), max(0.575 * _dist(lh, rh), 0.4 * unit)
    else:
        # Hips out of the photo: the torso goes on below, about 1.5 shoulder widths (cut by the mask).
        across = (rs[0] - ls[0], rs[1] - ls[1])
        down = (-across[1], across[0]) if across[0] >= 0 else (across[1], -across[0])  # the one pointing down
        norm = math.hypot(*down) or 1.0
        low, hip_half = (top[0] + down[0] / norm * 1.5 * unit, top[1] + down[1] / norm * 1.5 * unit), 0.45 * unit
    axis = (low[0] - top[0], low[1] - top[1])
    length = math.hypot(*axis) or 1.0
    along = (axis[0] / length, axis[1] / length)
    perp = (-along[1], along[0])
    top_half = max(0.54 * _dist(ls, rs), 0.45 * unit)
    collar = (top[0] - along[0] * 0.18 * unit, top[1] - along[1] * 0.18 * unit)

    def quad(a: Point, b: Point, ha: float, hb: float) -> list[Point]:
        return [(a[0] + perp[0] * ha, a[1] + perp[1] * ha), (a[0] - perp[0] * ha, a[1] - perp[1] * ha),
                (b[0] - perp[0] * hb, b[1] - perp[1] * hb), (b[0] + perp[0] * hb, b[1] + perp[1] * hb)]

    torso = quad(collar, low, top_half, hip_half)
    chin = _chin(kp, size)
    centre_top = chin if chin is not None and chin[1] < collar[1] else collar
    centre = quad(centre_top, low, 0.16 * unit, 0.16 * unit)
    return torso, centre


def _face(kp: Mapping[str, Keypoint], size: tuple[int, int], canvas: _Canvas) -> bool:
    eyes = [p for p in (visible(kp, "left_eye", size), visible(kp, "right_eye", size)) if p]
    mouth = [p for p in (visible(kp, "mouth_left", size), visible(kp, "mouth_right", size)) if p]
    if len(eyes) < 2 or not mouth:
        return False
    e, m = _mid(eyes[0], eyes[1]), (sum(p[0] for p in mouth) / len(mouth), sum(p[1] for p in mouth) / len(mouth))
    half = 0.45 * _dist(eyes[0], eyes[1])
    # Cheeks and nose: between the eyes' level and the mouth, narrower than the eyes (no hair, no eyes).
    top, bottom = _toward(e, m, 0.25), _toward(e, m, 0.8)
    canvas.polygon([(top[0] - half, top[1]), (top[0] + half, top[1]), (bottom[0] + half, bottom[1]),
                    (bottom[0] - half, bottom[1])])
    return True


def _head_top(kp: Mapping[str, Keypoint], size: tuple[int, int], person: np.ndarray,
              regions: BodyRegions) -> None:
    """The part of the person above the forehead, and how high it rises (frontal faces only)."""
    eyes = [p for p in (visible(kp, "left_eye", size), visible(kp, "right_eye", size)) if p]
    ears = [p for p in (visible(kp, "left_ear", size), visible(kp, "right_ear", size)) if p]
    if len(eyes) < 2 or len(ears) < 2:
        return
    e = _mid(eyes[0], eyes[1])
    face_w = _dist(ears[0], ears[1])
    if face_w < 0.3 * regions.unit or face_w < 4:
        return  # a side view: ear-to-ear is no measure of the head there
    h, w = person.shape
    x0, x1 = max(0, round(e[0] - 0.8 * face_w)), min(w, round(e[0] + 0.8 * face_w))
    forehead = round(e[1] - 0.3 * face_w)
    if forehead <= 0 or x1 <= x0:
        return
    cols = person[:forehead, x0:x1]
    rows = np.nonzero(cols.any(axis=1))[0]
    if not len(rows):
        return
    regions.crown_ratio = float((e[1] - rows[0]) / face_w)
    head = np.zeros_like(person)
    head[rows[0]:forehead, x0:x1] = cols[rows[0]:]
    regions.head_top = head if head.any() else None
    band = np.zeros_like(person)
    bx0, bx1 = max(0, round(e[0] - 0.3 * face_w)), min(w, round(e[0] + 0.3 * face_w))
    band[max(0, round(e[1] - 0.6 * face_w)):forehead, bx0:bx1] = True
    regions.forehead = band & person if (band & person).any() else None
    temples = np.zeros_like(person)
    y0, y1 = max(0, round(e[1])), min(h, round(e[1] + 0.5 * face_w))
    for ear in ears:  # beside each ear, past glasses' arms: hair shows there, under a hat or not
        outward = 1 if ear[0] > e[0] else -1
        a, b = sorted((round(ear[0] + outward * 0.1 * face_w), round(ear[0] + outward * 0.4 * face_w)))
        temples[y0:y1, max(0, a):min(w, b)] = True
    regions.temples = temples & person if (temples & person).any() else None


def _legs(kp: Mapping[str, Keypoint], size: tuple[int, int], unit: float, regions: BodyRegions) -> None:
    thighs, shins, feet = _Canvas(size), _Canvas(size), _Canvas(size)
    drawn = {"thighs": False, "shins": False, "feet": False}
    hips = [visible(kp, f"{s}_hip", size) for s in SIDES]
    if not any(hips):
        return
    lh, rh = hips
    if lh and rh:  # the seat: between the hips and a little below them
        below = 0.35 * unit
        thighs.polygon([_toward(rh, lh, 1.15), _toward(lh, rh, 1.15),
                        (rh[0], rh[1] + below), (lh[0], lh[1] + below)])
    for side, hip in zip(SIDES, hips, strict=True):
        knee = visible(kp, f"{side}_knee", size)
        ankle = visible(kp, f"{side}_ankle", size)
        if hip and knee:
            thighs.limb(hip, knee, 0.55 * unit)
            drawn["thighs"] = True
            if ankle:
                shins.limb(knee, ankle, 0.4 * unit)
                drawn["shins"] = True
        elif hip and not knee:
            h = size[1]
            if h - hip[1] > 0.3 * unit:  # the photo ends above the knee: only the top of the legs shows
                thighs.limb(hip, (hip[0], min(h + unit, hip[1] + 1.6 * unit)), 0.55 * unit)
                drawn["thighs"] = True
                regions.legs_cut = True
        foot = [p for p in (ankle, visible(kp, f"{side}_heel", size), visible(kp, f"{side}_foot_index", size)) if p]
        if ankle and len(foot) >= 2:
            # A shoe covers the ankle, the heel and the toes: their hull, widened a little.
            cx, cy = sum(p[0] for p in foot) / len(foot), sum(p[1] for p in foot) / len(foot)
            grown = [_toward((cx, cy), p, 1.0 + 0.12 * unit / max(_dist((cx, cy), p), 1.0)) for p in foot]
            for p, q in zip(grown, grown[1:] + grown[:1], strict=True):
                feet.limb(p, q, 0.22 * unit)
            if len(grown) >= 3:
                feet.polygon(grown)
            drawn["feet"] = True
    regions.thighs = thighs.mask() if drawn["thighs"] else None
    regions.shins = shins.mask() if drawn["shins"] else None
    regions.feet = feet.mask() if drawn["feet"] else None


def body_regions(keypoints: Mapping[str, Keypoint], person: np.ndarray) -> BodyRegions | None:
    """The body's garment regions cut by the person mask, or None when no shoulders or hips are seen."""
    h, w = person.shape
    size = (w, h)
    unit = _unit(keypoints, size)
    if unit is None:
        return None
    regions = BodyRegions(unit=unit)
    face = _Canvas(size)
    if _face(keypoints, size, face):
        regions.face = face.mask() & person
    torso = _torso(keypoints, size, unit)
    if torso is not None:
        body, middle = _Canvas(size), _Canvas(size)
        body.polygon(torso[0])
        middle.polygon(torso[1])
        arms = _Canvas(size)
        for side in SIDES:
            s, e, wr = (visible(keypoints, f"{side}_{j}", size) for j in ("shoulder", "elbow", "wrist"))
            if s and e:
                arms.limb(s, e, 0.32 * unit)
                if wr:
                    arms.limb(e, _toward(e, wr, 0.85), 0.27 * unit)  # stop short of the hand
        upper = (body.mask() | arms.mask() | middle.mask()) & person
        centre = middle.mask() & person
        regions.upper = upper if upper.any() else None
        regions.centre = centre if centre.any() else None
        sides = upper & ~centre
        regions.sides = sides if sides.any() else None
    _legs(keypoints, size, unit, regions)
    for name in ("thighs", "shins", "feet"):
        part = getattr(regions, name)
        if part is not None:
            setattr(regions, name, part & person if name != "feet" else part & _grow(person, 2))
    if regions.thighs is not None or regions.shins is not None:
        legs = (regions.thighs if regions.thighs is not None else np.zeros_like(person)) | (
            regions.shins if regions.shins is not None else np.zeros_like(person))
        if regions.upper is not None:
            legs &= ~regions.upper
        regions.lower = legs if legs.any() else None
    _head_top(keypoints, size, person, regions)
    regions.bag = _bag(keypoints, size, person, regions)
    return regions


def _grow(mask: np.ndarray, steps: int) -> np.ndarray:
    out = mask.copy()
    for _ in range(steps):
        p = np.pad(out, 1, constant_values=False)
        out = p[1:-1, 1:-1] | p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
    return out


def _bag(kp: Mapping[str, Keypoint], size: tuple[int, int], person: np.ndarray,
         regions: BodyRegions) -> np.ndarray | None:
    """A large blob of the person mask beside a hand or hip that no body part covers: a carried bag."""
    anchors = [p for p in (visible(kp, n, size) for n in ("left_wrist", "right_wrist", "left_hip", "right_hip")) if p]
    if not anchors or regions.upper is None:
        return None
    unit = regions.unit
    covered = regions.upper.copy()
    for part in (regions.lower, regions.feet, regions.face, regions.head_top):
        if part is not None:
            covered |= part
    body = _Canvas(size)
    for a, b in (("shoulder", "elbow"), ("elbow", "wrist"), ("wrist", "index"), ("hip", "knee"), ("knee", "ankle")):
        for side in SIDES:
            p, q = visible(kp, f"{side}_{a}", size), visible(kp, f"{side}_{b}", size)
            if p and q:
                body.limb(p, q, 0.5 * unit)
    for side in SIDES:  # the hands themselves
        wrist = visible(kp, f"{side}_wrist", size)
        if wrist:
            body.limb(wrist, wrist, 0.45 * unit)
    covered = _grow(covered | body.mask(), 3)
    near = _Canvas(size)
    for p in anchors:
        near.limb(p, p, 1.6 * unit)
    candidate = person & ~covered & near.mask()
    ls, rs = visible(kp, "left_shoulder", size), visible(kp, "right_shoulder", size)
    if ls and rs:
        candidate[: round(max(ls[1], rs[1])) + 1] = False  # a bag hangs below the shoulders
    if candidate.sum() < 0.12 * unit * unit:
        return None
    blob = largest_component(candidate)
    ys, xs = np.nonzero(blob)
    if len(ys) < 0.12 * unit * unit:
        return None
    bh, bw = int(ys.max() - ys.min()) + 1, int(xs.max() - xs.min()) + 1
    # A bag is a compact shape; a thin strip along the body is a loose sleeve or the mask's edge.
    if max(bh, bw) > 3 * min(bh, bw) or len(ys) < 0.45 * bh * bw:
        return None
    return blob
