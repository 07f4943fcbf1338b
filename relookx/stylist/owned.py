"""The owned-duplicate check: is a piece (category + color) already in the wardrobe? Vectorised CIEDE2000."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from relookx.garments import color_to_hex, normalize_hex
from relookx.stylist.types import OutfitItem

OWNED_DELTA_E = 12.0  # CIEDE2000 under which two garments of one category count as the same color


def item_hex(item: OutfitItem) -> str | None:
    """The garment's "#rrggbb", falling back to its color name."""
    return normalize_hex(item.color_hex) or color_to_hex(item.color_name)


def lab_array(hexes: Sequence[str]) -> np.ndarray:
    """CIELAB (D65) coordinates of many "#rrggbb" colors as an (n, 3) array."""
    if not hexes:
        return np.zeros((0, 3))
    rgb = np.array([[int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)] for h in hexes], dtype=float) / 255.0
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    eps = (6 / 29) ** 3
    f = np.where(xyz > eps, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


def lab_to_hex(labs: np.ndarray, *, drop_out_of_gamut: bool = False) -> list[str]:
    """"#rrggbb" of many CIELAB (D65) colors; out-of-gamut colors are clipped to sRGB, or dropped."""
    fy = (labs[:, 0] + 16) / 116
    f = np.stack([fy + labs[:, 1] / 500, fy, fy - labs[:, 2] / 200], axis=1)
    xyz = np.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29)) * np.array([0.95047, 1.0, 1.08883])
    m = np.array([[3.2404542, -1.5371385, -0.4985314], [-0.9692660, 1.8760108, 0.0415560],
                  [0.0556434, -0.2040259, 1.0572252]])
    lin = xyz @ m.T
    if drop_out_of_gamut:
        lin = lin[((lin >= -1e-4) & (lin <= 1 + 1e-4)).all(axis=1)]
    lin = np.clip(lin, 0.0, 1.0)
    rgb = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in np.rint(rgb * 255).astype(int).tolist()]


def delta_e_matrix(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 between every row of lab1 (n, 3) and of lab2 (m, 3): an (n, m) array."""
    l1, a1, b1 = (lab1[:, i][:, None] for i in range(3))
    l2, a2, b2 = (lab2[:, i][None, :] for i in range(3))
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.where(c1p == 0, 0.0, np.degrees(np.arctan2(b1, a1p)) % 360)
    h2p = np.where(c2p == 0, 0.0, np.degrees(np.arctan2(b2, a2p)) % 360)
    prod = c1p * c2p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(prod == 0, 0.0, dh)
    dhp = 2 * np.sqrt(prod) * np.sin(np.radians(dh) / 2)
    lbp, cbp, hsum = (l1 + l2) / 2, (c1p + c2p) / 2, h1p + h2p
    hbp = np.where(np.abs(h1p - h2p) <= 180, hsum / 2, np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2))
    hbp = np.where(prod == 0, hsum, hbp)
    t = (1 - 0.17 * np.cos(np.radians(hbp - 30)) + 0.24 * np.cos(np.radians(2 * hbp))
         + 0.32 * np.cos(np.radians(3 * hbp + 6)) - 0.20 * np.cos(np.radians(4 * hbp - 63)))
    rc = 2 * np.sqrt(cbp**7 / (cbp**7 + 25.0**7))
    rt = -np.sin(np.radians(2 * 30 * np.exp(-(((hbp - 275) / 25) ** 2)))) * rc
    sl = 1 + 0.015 * (lbp - 50) ** 2 / np.sqrt(20 + (lbp - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    dl, dc, dhh = (l2 - l1) / sl, (c2p - c1p) / sc, dhp / sh
    return np.sqrt(dl**2 + dc**2 + dhh**2 + rt * dc * dhh)


class OwnedIndex:
    """The wardrobe grouped by category with its Lab colors, for fast "do they own this?" checks."""

    def __init__(self, wardrobe: Sequence[OutfitItem]) -> None:
        groups: dict[str, list[tuple[OutfitItem, str]]] = {}
        for item in wardrobe:
            hex_ = item_hex(item)
            if hex_ is not None:
                groups.setdefault(item.category, []).append((item, hex_))
        self._items = {c: [i for i, _ in g] for c, g in groups.items()}
        self._labs = {c: lab_array([h for _, h in g]) for c, g in groups.items()}

    def nearest(self, category: str, hexes: Sequence[str]) -> tuple[np.ndarray, list[OutfitItem | None]]:
        """For each color: the smallest delta E to an owned garment of the category, and that garment."""
        labs = self._labs.get(category)
        if labs is None or not len(labs) or not hexes:
            return np.full(len(hexes), np.inf), [None] * len(hexes)
        d = delta_e_matrix(lab_array(hexes), labs)
        idx = d.argmin(axis=1)
        return d[np.arange(len(hexes)), idx], [self._items[category][i] for i in idx]

    def similar(self, category: str, hex_: str, threshold: float = OWNED_DELTA_E) -> OutfitItem | None:
        """An owned garment of the category within `threshold` of the color, or None."""
        dist, items = self.nearest(category, [hex_])
        return items[0] if dist[0] < threshold else None


def owns_similar(piece_category: str, piece_hex: str, wardrobe: Sequence[OutfitItem] | OwnedIndex, *,
                 threshold: float = OWNED_DELTA_E) -> OutfitItem | None:
    """The owned garment of the same category and a close color (CIEDE2000 < threshold), or None."""
    hex_ = normalize_hex(piece_hex) or color_to_hex(piece_hex)
    if hex_ is None:
        return None
    index = wardrobe if isinstance(wardrobe, OwnedIndex) else OwnedIndex(wardrobe)
    return index.similar(piece_category, hex_, threshold)
