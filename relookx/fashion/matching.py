"""Is this garment an item the user already owns? Pure scoring: garment features in, scores out.

A score in [0, 1] weighs what both sides know: the category (a different category scores 0), the
CIEDE2000 distance of the colors, the pattern, the material, the name's words (color words left to the
color part) and, when both have one, a compact color/texture descriptor of the garment crop
(`crop_descriptor`). Lighting moves a photographed color by a few delta E, so the color part decays
slowly; look-alikes are told apart by the other parts.

At or above LINK_SCORE a garment is linked to the item; from ASK_SCORE to LINK_SCORE the user is asked;
below, the garment is a new item. `benchmarks/item_matching.py` measures precision and recall.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from relookx.fashion.colors import color_to_hex, delta_e_broadcast, lab_array, normalize_hex
from relookx.fashion.pieces import is_color_word

LINK_SCORE = 0.90
ASK_SCORE = 0.70
COLOR_SCALE = 22.0  # delta E at which the color part reaches 0
LIGHTNESS_FACTOR = 2.0  # CIEDE2000 kL: lighting moves lightness most, so it counts half
EXPOSURE = 1.15  # the largest lightness ratio put down to lighting rather than to another piece
CROP_SCALE = 0.9  # descriptor distance at which the crop part reaches 0
WEIGHTS = {"color": 0.40, "name": 0.20, "pattern": 0.12, "material": 0.12, "crop": 0.80}
MISMATCH = {"pattern": 0.7, "material": 0.75, "name": 0.8}  # factor when both are known and differ
DESCRIPTOR_SIZE = 20
_WORD_RE = re.compile(r"[^\W\d_]+")
_STOP = frozenset({"a", "an", "and", "the", "with", "of", "in", "on", "for", "to", "my", "piece"})
_FALLBACK_HEX = "#808080"


@dataclass(frozen=True)
class GarmentFeatures:
    """What the matcher compares: a garment's tags and, when there is a crop, its descriptor."""

    category: str
    color_hex: str = ""
    pattern: str = ""
    material: str = ""
    name: str = ""
    descriptor: np.ndarray | None = None  # crop_descriptor() of the garment crop


def name_words(name: str) -> frozenset[str]:
    """The words of a garment name that say what it is (no color words, no stop words)."""
    words = _WORD_RE.findall(name.lower().replace("-", " "))
    return frozenset(w for w in words if w not in _STOP and not is_color_word(w) and len(w) > 1)


def _hex(features: GarmentFeatures) -> str:
    return normalize_hex(features.color_hex) or color_to_hex(features.color_hex) or _FALLBACK_HEX


def _codes(values: Sequence[str], vocab: dict[str, int]) -> np.ndarray:
    """Integer codes of lower-cased values; "" is -1 (unknown)."""
    return np.array([vocab.setdefault(v, len(vocab)) if v else -1
                     for v in (x.strip().lower() for x in values)], dtype=np.int64)


class _Side:
    """One side of a comparison, vectorised: Lab colors, codes, name-word matrix, descriptors."""

    def __init__(self, rows: Sequence[GarmentFeatures], vocab: dict[str, dict[str, int]]) -> None:
        # float32: CIEDE2000 over millions of pairs runs at twice the speed, and 1e-4 delta E changes nothing here.
        self.lab = lab_array([_hex(r) for r in rows]).astype(np.float32)
        self.known_color = np.array([bool(r.color_hex) for r in rows], dtype=bool)
        self.pattern = _codes([r.pattern for r in rows], vocab["pattern"])
        self.material = _codes([r.material for r in rows], vocab["material"])
        self.words = [name_words(r.name) for r in rows]
        self.words_n = np.array([len(w) for w in self.words], dtype=float)
        desc = np.zeros((len(rows), DESCRIPTOR_SIZE))
        self.has_desc = np.zeros(len(rows), dtype=bool)
        for i, r in enumerate(rows):
            if r.descriptor is not None and len(r.descriptor) == DESCRIPTOR_SIZE:
                desc[i], self.has_desc[i] = r.descriptor, True
        self.desc = desc

    def word_matrix(self, vocab: dict[str, int]) -> np.ndarray:
        out = np.zeros((len(self.words), max(len(vocab), 1)), dtype=np.float32)
        for i, words in enumerate(self.words):
            for w in words:
                if w in vocab:
                    out[i, vocab[w]] = 1.0
        return out


def lit_delta_e(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 (kL = 2) after undoing a plausible exposure change between two photos.

    Brighter or dimmer light scales a color's L, a and b together (XYZ scales, Lab follows its cube root),
    so the first color is rescaled towards the second's lightness by at most EXPOSURE (a ratio) before
    comparing: a re-lit photo of one piece comes close, a piece of another lightness does not.
    """
    l1, a1, b1 = (lab1[:, i][:, None] for i in range(3))
    l2, a2, b2 = (lab2[:, i][None, :] for i in range(3))
    ratio = np.clip(l2 / np.maximum(l1, 1.0), 1.0 / EXPOSURE, EXPOSURE)
    return delta_e_broadcast(l1 * ratio, a1 * ratio, b1 * ratio, l2, a2, b2, kl=LIGHTNESS_FACTOR)


def _agree(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(weight mask where both known, 1.0 where equal) for two code vectors."""
    known = (a[:, None] >= 0) & (b[None, :] >= 0)
    return known, (a[:, None] == b[None, :]).astype(float)


def _scores(new: _Side, old: _Side) -> np.ndarray:
    """The (n, m) score matrix of two sides of one category."""
    n, m = len(new.lab), len(old.lab)
    if not n or not m:
        return np.zeros((n, m))
    total = np.zeros((n, m))
    weight = np.zeros((n, m))
    color_known = new.known_color[:, None] & old.known_color[None, :]
    color = np.clip(1.0 - lit_delta_e(new.lab, old.lab) / COLOR_SCALE, 0.0, 1.0)
    total += WEIGHTS["color"] * np.where(color_known, color, 0.0)
    weight += WEIGHTS["color"] * color_known
    penalty = np.ones((n, m))
    for key in ("pattern", "material"):
        known, equal = _agree(getattr(new, key), getattr(old, key))
        total += WEIGHTS[key] * np.where(known, equal, 0.0)
        weight += WEIGHTS[key] * known
        # Two known, different tags are strong evidence of two pieces: a weighted mean alone hides it.
        penalty *= np.where(known & (equal == 0), MISMATCH[key], 1.0)
    vocab: dict[str, int] = {}
    for words in new.words:
        for w in words:
            vocab.setdefault(w, len(vocab))
    if vocab:
        inter = new.word_matrix(vocab) @ old.word_matrix(vocab).T
        # Overlap, not Jaccard: an analyzer often drops a word ("boots" for "chelsea boots").
        shorter = np.minimum(new.words_n[:, None], old.words_n[None, :])
        named = shorter > 0
        overlap = np.divide(inter, shorter, out=np.zeros((n, m)), where=named)
        total += WEIGHTS["name"] * np.where(named, overlap, 0.0)
        weight += WEIGHTS["name"] * named
        penalty *= np.where(named & (inter == 0), MISMATCH["name"], 1.0)
    if new.has_desc.any() and old.has_desc.any():
        both = new.has_desc[:, None] & old.has_desc[None, :]
        # Descriptors are unit vectors: the distance between two is in [0, 2].
        sq = (np.square(new.desc).sum(1)[:, None] + np.square(old.desc).sum(1)[None, :]
              - 2.0 * new.desc @ old.desc.T)
        crop = np.clip(1.0 - np.sqrt(np.maximum(sq, 0.0)) / CROP_SCALE, 0.0, 1.0)
        total += WEIGHTS["crop"] * np.where(both, crop, 0.0)
        weight += WEIGHTS["crop"] * both
    return np.divide(total, weight, out=np.zeros((n, m)), where=weight > 0) * penalty


def _by_category(rows: Sequence[GarmentFeatures]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r.category.strip().lower() or "other", []).append(i)
    return groups


class ItemIndex:
    """The user's items prepared once (per category) to score many new garments against them."""

    def __init__(self, items: Sequence[GarmentFeatures]) -> None:
        self.size = len(items)
        self._vocab: dict[str, dict[str, int]] = {"pattern": {}, "material": {}}
        self._groups = {c: (np.array(ix), _Side([items[i] for i in ix], self._vocab))
                        for c, ix in _by_category(items).items()}

    def scores(self, garments: Sequence[GarmentFeatures]) -> np.ndarray:
        """The full (garments, items) score matrix; 0 across categories."""
        out = np.zeros((len(garments), self.size))
        for category, rows in _by_category(garments).items():
            group = self._groups.get(category)
            if group is not None:
                cols, side = group
                side_new = _Side([garments[i] for i in rows], self._vocab)
                out[np.ix_(np.asarray(rows, dtype=np.int64), cols)] = _scores(side_new, side)
        return out

    def best(self, garments: Sequence[GarmentFeatures]) -> tuple[np.ndarray, np.ndarray]:
        """For each garment: the index of its best item (-1 when none) and that score."""
        best_ix = np.full(len(garments), -1, dtype=np.int64)
        best_score = np.zeros(len(garments))
        for category, rows in _by_category(garments).items():
            group = self._groups.get(category)
            if group is None:
                continue
            cols, side = group
            s = _scores(_Side([garments[i] for i in rows], self._vocab), side)
            arg = s.argmax(axis=1)
            best_ix[rows] = cols[arg]
            best_score[rows] = s[np.arange(len(rows)), arg]
        return best_ix, best_score


def match_scores(garments: Sequence[GarmentFeatures], items: Sequence[GarmentFeatures]) -> np.ndarray:
    """The (garments, items) "same item" scores in [0, 1]."""
    return ItemIndex(items).scores(garments)


def decision(score: float) -> str:
    """"link", "ask" or "new" for a best score."""
    return "link" if score >= LINK_SCORE else "ask" if score >= ASK_SCORE else "new"


def _soft_histogram(position: np.ndarray, weight: np.ndarray, bins: int) -> np.ndarray:
    """A circular histogram where each value splits its weight between its two nearest bins."""
    low = np.floor(position - 0.5).astype(int)
    frac = (position - 0.5) - low
    hist = np.bincount((low % bins).ravel(), weights=(weight * (1 - frac)).ravel(), minlength=bins)
    hist += np.bincount(((low + 1) % bins).ravel(), weights=(weight * frac).ravel(), minlength=bins)
    return hist[:bins]


def crop_descriptor(crop: Image.Image) -> np.ndarray:
    """A unit vector of DESCRIPTOR_SIZE numbers: chroma-weighted hue histogram, texture orientations, contrast.

    Computed on the crop's central 60 % (the garment, less background) at 48x48; brightness is divided
    out, so a re-lit photo of the same piece gives a close vector.
    """
    w, h = crop.size
    box = (int(w * 0.2), int(h * 0.2), max(int(w * 0.8), int(w * 0.2) + 1), max(int(h * 0.8), int(h * 0.2) + 1))
    small = crop.convert("RGB").crop(box).resize((48, 48), Image.Resampling.BILINEAR)
    lab = np.asarray(small.convert("LAB"), dtype=float)
    lum, a, b = lab[..., 0] / 255.0, lab[..., 1] - 128.0, lab[..., 2] - 128.0
    chroma = np.hypot(a, b)
    hue = _soft_histogram(np.degrees(np.arctan2(b, a)) % 360 / 45.0, chroma, 8)
    hue = hue / (hue.sum() + 1e-9) * min(float(chroma.mean()) / 20.0, 1.0)
    norm = lum / (lum.mean() + 1e-6)
    gy, gx = np.gradient(norm)
    mag = np.hypot(gx, gy)
    orient = _soft_histogram(np.degrees(np.arctan2(gy, gx)) % 180 / 22.5, mag, 8)
    energy = float(mag.mean())
    orient = orient / (orient.sum() + 1e-9) * min(energy * 8.0, 1.0)
    extra = np.array([min(energy * 4.0, 1.0), min(float(norm.std()), 1.0),
                      float(np.clip(lum.mean(), 0, 1)) * 0.3, min(float(chroma.mean()) / 40.0, 1.0)])
    vec: np.ndarray = np.concatenate([hue, orient, extra])
    unit: np.ndarray = vec / (np.linalg.norm(vec) + 1e-9)
    return unit
