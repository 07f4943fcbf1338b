"""The fallback of the offline analyzer when the pose model cannot run: colors measured from the pixels.

It separates a standing person from a plain background, cuts the silhouette into body regions
by the usual figure proportions (refined where the face's skin ends and where the color changes
between top and bottom), and reports each region's dominant color. Garment types come from body
position only, so confidences stay at 0.4 or below.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from relookx.fashion.colors import hex_to_name
from relookx.garments import normalize_garment
from relookx.vision.base import AnalysisResult, GarmentDraft
from relookx.vision.colorstats import color_clusters as _color_clusters
from relookx.vision.colorstats import hex_of as _hex
from relookx.vision.colorstats import kmeans as _kmeans
from relookx.vision.colorstats import largest_component as _largest_component

log = logging.getLogger(__name__)

WORK_SIDE = 256  # analysis resolution (long side); colors of large regions do not need more
MAX_CONFIDENCE = 0.4
TYPICAL_PRICES = {"top": 25.0, "bottom": 40.0, "dress": 50.0, "footwear": 60.0}
REGION_WORDS = {"top": "upper-body", "bottom": "lower-body", "dress": "body", "footwear": "feet"}
LIMITS_NOTE = (
    "Offline estimate from colors only: no AI model looked at this photo. Garment types are guessed "
    "from body position (upper body = top, legs = bottom, feet = footwear) and prices are typical "
    "values, not the real ones. Set MISTRAL_API_KEY for real garment recognition."
)
_SKIN_DISTANCE = 30.0


@dataclass
class _Region:
    category: str
    rows: tuple[int, int]  # inside the bounding box, end exclusive


def _downscale(image: Image.Image) -> np.ndarray:
    img = image
    if img.mode not in ("RGB", "RGBA", "L"):
        img = img.convert("RGB")
    # Image.reduce is a fast box filter done in C: a 12 MP photo shrinks in a few milliseconds.
    factor = max(img.size) // WORK_SIDE
    if factor >= 2:
        img = img.reduce(factor)
    if max(img.size) > WORK_SIDE:
        scale = WORK_SIDE / max(img.size)
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.Resampling.BOX)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.asarray(img, dtype=np.float32)


def _background_distance(arr: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Per-pixel distance to the background, a threshold for "not background", and the border fit."""
    h, w, _ = arr.shape
    band = max(2, round(min(h, w) * 0.04))
    ys, xs = np.mgrid[0:h, 0:w]
    border = np.zeros((h, w), dtype=bool)
    border[:band], border[-band:], border[:, :band], border[:, -band:] = True, True, True, True
    pix = arr[border]
    centers, labels = _kmeans(pix, 4)
    shares = np.bincount(labels, minlength=len(centers)) / len(pix)
    # Border colors covering at least 10% are background; feet or an arm touching the edge are not.
    kept = shares >= 0.10
    kept[shares.argmax()] = True
    bg_centers = centers[kept]
    dist = np.min(np.linalg.norm(arr[:, :, None, :] - bg_centers[None, None], axis=3), axis=2)
    # A plane per channel fitted to the background border pixels follows lighting gradients and
    # vignetting that a handful of flat cluster colors would miss.
    in_bg = kept[labels]
    design = np.stack([np.ones(in_bg.sum()), xs[border][in_bg] / w, ys[border][in_bg] / h], axis=1)
    coef, *_ = np.linalg.lstsq(design, pix[in_bg], rcond=None)
    full = np.stack([np.ones(h * w), xs.ravel() / w, ys.ravel() / h], axis=1) @ coef
    plane_dist = np.linalg.norm(arr - full.reshape(h, w, 3).astype(np.float32), axis=2)
    dist = np.minimum(dist, plane_dist)
    noise = float(np.percentile(dist[border][in_bg], 90))
    threshold = float(np.clip(2.5 * noise + 12.0, 22.0, 60.0))
    return dist, threshold, float(shares[kept].sum())


def _erode(mask: np.ndarray) -> np.ndarray:
    p = np.pad(mask, 1, constant_values=False)
    eroded: np.ndarray = p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    return eroded


def _dilate(mask: np.ndarray) -> np.ndarray:
    p = np.pad(mask, 1, constant_values=False)
    dilated: np.ndarray = p[1:-1, 1:-1] | p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
    return dilated


def _skin_color(arr: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """The face's color: the largest skin-like cluster in the head zone, or None."""
    pixels = arr[mask]
    if len(pixels) < 12:
        return None
    for color, share in _color_clusters(pixels, 3):
        r, g, b = (float(c) for c in color)
        # Skin of any tone is warm: red above green above blue (hair and hats usually are not).
        if share >= 0.15 and r > 50 and r >= g >= b - 5 and r - b > 12:
            return color
    return None


def _best_split(sums: np.ndarray, counts: np.ndarray, lo: int, hi: int) -> tuple[int, float]:
    """Row in [lo, hi) that best splits the row colors in two (Otsu-like), and the color step there."""
    if hi - lo < 4:
        return (lo + hi) // 2, 0.0
    s = np.cumsum(sums[lo:hi], axis=0)
    n = np.cumsum(counts[lo:hi])
    n1, s1 = n[:-1], s[:-1]
    n2, s2 = n[-1] - n1, s[-1] - s1
    with np.errstate(divide="ignore", invalid="ignore"):
        m1 = s1 / n1[:, None]
        m2 = s2 / n2[:, None]
        gap = np.linalg.norm(m1 - m2, axis=1)
        score = np.where((n1 > 0) & (n2 > 0), n1 * n2 / (n1 + n2) * gap**2, 0.0)
    best = int(score.argmax())
    return lo + best + 1, float(np.nan_to_num(gap[best])) if score[best] > 0 else 0.0


class HeuristicAnalyzer:
    """Colors of top, bottom and shoes measured from the pixels; no model, no network."""

    name = "offline"

    def analyze(self, image: Image.Image) -> AnalysisResult:
        """Analyse one photo; returns no garments (and a note saying why) when no person stands out."""
        started = time.perf_counter()
        notes = [LIMITS_NOTE]
        garments = self._analyze(_downscale(image), notes)
        return AnalysisResult(
            garments=garments,
            analyzer=self.name,
            model="color-heuristics",
            seconds=time.perf_counter() - started,
            notes=notes,
        )

    def _analyze(self, arr: np.ndarray, notes: list[str]) -> list[GarmentDraft]:
        h, w, _ = arr.shape
        if min(h, w) < 16:
            notes.append("The photo is too small to find a person in it.")
            return []
        dist, threshold, border_fit = _background_distance(arr)
        mask = _dilate(_erode(dist > threshold))
        if mask.mean() > 0.85:
            notes.append("Could not tell the person from the background (busy or missing background); "
                         "a photo against a plain wall works best.")
            return []
        mask = _largest_component(mask)
        ys, xs = np.nonzero(mask)
        if len(ys) < 0.015 * h * w or ys.max() - ys.min() + 1 < 0.3 * h:
            notes.append("No standing person found: nothing stands out from the background.")
            return []
        y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
        bh, bw = y1 - y0, x1 - x0
        box, person = arr[y0:y1, x0:x1], mask[y0:y1, x0:x1]

        quality = float(np.clip((border_fit - 0.5) / 0.4, 0.3, 1.0))
        if not 1.3 <= bh / max(bw, 1) <= 7.0:
            quality *= 0.6
            notes.append("The subject's shape is unlike a standing person; the regions may be off.")
        solidity = person.mean()
        if not 0.2 <= solidity <= 0.95:
            quality *= 0.7
        cut_at_bottom = y1 >= h - 1

        head = person.copy()
        head[int(0.14 * bh):] = False
        skin_color = _skin_color(box, head)
        if skin_color is not None:
            warm = (box[..., 0] >= box[..., 2])
            skin = person & warm & (np.linalg.norm(box - skin_color, axis=2) < _SKIN_DISTANCE)
        else:
            skin = np.zeros_like(person)
            notes.append("No face skin tone found, so skin is not excluded from garment colors.")
        cloth = person & ~skin

        # Where the shoulders start: the first row below the face that is mostly not skin.
        shoulder = round(0.16 * bh)
        row_person = person.sum(axis=1)
        row_skin = skin.sum(axis=1)
        face_rows = np.nonzero(row_skin > 0.4 * np.maximum(row_person, 1))[0]
        face_rows = face_rows[face_rows < 0.3 * bh]
        if len(face_rows):
            below = np.nonzero((np.arange(bh) > face_rows[0])
                               & (row_person - row_skin > 0.6 * np.maximum(row_person, 1)))[0]
            if len(below):
                shoulder = int(np.clip(below[0], 0.08 * bh, 0.3 * bh))

        sums = (box * cloth[..., None]).sum(axis=1)
        counts = cloth.sum(axis=1).astype(np.float64)
        feet = round(0.94 * bh)
        f_row, f_gap = _best_split(sums, counts, round(0.82 * bh), bh)
        if f_gap > 30 and bh - f_row <= 0.12 * bh:
            feet = f_row
        split, gap = _best_split(sums, counts, round(0.3 * bh), round(0.7 * bh))
        regions: list[_Region]
        if gap >= 30:
            regions = [_Region("top", (shoulder, split)), _Region("bottom", (split, feet))]
        else:
            shin = slice(round(0.78 * bh), feet)
            shin_person = person[shin].sum()
            bare_shins = skin_color is not None and shin_person > 0 and skin[shin].sum() > 0.6 * shin_person
            if bare_shins:
                regions = [_Region("dress", (shoulder, feet))]
            else:
                split = round(0.47 * bh)
                regions = [_Region("top", (shoulder, split)), _Region("bottom", (split, feet))]
                notes.append("Top and bottom look the same color; it could also be a jumpsuit or one piece.")
        if cut_at_bottom:
            notes.append("The feet are cut off at the bottom of the photo, so no footwear is reported.")
            quality *= 0.7
        else:
            regions.append(_Region("footwear", (feet, bh)))

        garments = []
        for region in regions:
            draft = self._garment(region, box, person, cloth, quality)
            if draft is not None:
                garments.append(draft)
        return garments

    def _garment(self, region: _Region, box: np.ndarray, person: np.ndarray, cloth: np.ndarray,
                 quality: float) -> GarmentDraft | None:
        r0, r1 = region.rows
        pixels = box[r0:r1][cloth[r0:r1]]
        all_pixels = box[r0:r1][person[r0:r1]]
        if len(all_pixels) < 12:
            return None
        if len(pixels) < 0.3 * len(all_pixels):
            # Mostly "skin": the garment itself is skin-toned (nude, beige), so keep every pixel.
            pixels = all_pixels
        clusters = _color_clusters(pixels)
        color, share = clusters[0]
        hex_ = _hex(color)
        color_name = hex_to_name(hex_)
        pattern = "solid" if share >= 0.7 else "patterned/multicolor"
        where = REGION_WORDS[region.category]
        description = f"Dominant color covers {share:.0%} of the {where} region"
        # Smaller clusters are mostly edge pixels blended with the background; only a real second
        # color is worth naming.
        if len(clusters) > 1 and clusters[1][1] >= 0.2:
            description += f"; next color {hex_to_name(_hex(clusters[1][0]))} ({clusters[1][1]:.0%})"
        confidence = MAX_CONFIDENCE * quality * (0.6 + 0.4 * share)
        return normalize_garment(GarmentDraft(
            name=f"{color_name.capitalize()} {region.category}",
            category=region.category,
            color_name=color_name,
            color_hex=hex_,
            pattern=pattern,
            price=TYPICAL_PRICES[region.category],
            price_text=f"typical price for a {region.category} (offline guess)",
            description=description + " (offline color measurement).",
            confidence=round(min(MAX_CONFIDENCE, confidence), 2),
        ))
