"""The owned-duplicate check: is a piece (category + color) already in the wardrobe? Vectorised CIEDE2000."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from relookx.fashion.colors import color_to_hex, delta_e_matrix, lab_array, normalize_hex
from relookx.fashion.pieces import OutfitItem

OWNED_DELTA_E = 12.0  # CIEDE2000 under which two garments of one category count as the same color


def item_hex(item: OutfitItem) -> str | None:
    """The garment's "#rrggbb", falling back to its color name."""
    return normalize_hex(item.color_hex) or color_to_hex(item.color_name)


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
